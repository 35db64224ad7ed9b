"""Boundary matrices of planning units.

A boundary matrix ``B`` is a symmetric sparse ``n x n`` matrix: ``B[i, j]`` (``i != j``)
is the length of the edge shared by units ``i`` and ``j`` and ``B[i, i]`` is the
length of ``i``'s *exposed* edge, the part of its perimeter that touches no other
planning unit (the grid border, or cells that are not planning units).

The boundary length of a selection ``x`` (Marxan's counting when ``edge_factor`` is 1) is

.. math::

    L(x) = \\sum_i x_i \\Big(f\\,B_{ii} + \\sum_{j \\ne i} B_{ij}\\Big)
           - 2 \\sum_{i<j} B_{ij} x_i x_j ,

i.e. every shared edge with exactly one side selected counts once, and every
exposed edge of a selected unit counts ``f`` times.

Grids: :func:`grid_boundary` uses true edge lengths (``dx`` for edges between vertical
neighbours, ``dy`` between horizontal ones) and puts the exposed part of every perimeter (at
the grid border and next to cells that are not planning units) on the diagonal. Diagonal
(8-neighbour) cells touch at a corner and share no edge, so they carry no boundary length;
8-neighbour *adjacency* (for neighbour constraints, corridors, resistance graphs and
patches) is :func:`scp.spatial.grid_adjacency`. Polygons: :func:`scp.io.vector.polygon_boundary`
(shared-edge lengths from the geometries).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def grid_boundary(mask: np.ndarray, dx: float = 1.0, dy: float = 1.0) -> sp.csr_matrix:
    """Boundary matrix of the ``True`` cells of a 2-D grid (4-neighbour adjacency).

    Planning units are numbered in C order over the ``True`` cells of ``mask``.

    Parameters
    ----------
    mask:
        2-D boolean array, ``True`` where a cell is a planning unit.
    dx, dy:
        Cell width (along the last axis) and height (along the first axis). A
        vertical edge (between left/right neighbours) has length ``dy``, a horizontal
        edge (between upper/lower neighbours) has length ``dx``.

    Returns
    -------
    scipy.sparse.csr_matrix
        Symmetric ``n x n`` matrix; off-diagonal entries are shared edge lengths and
        the diagonal holds exposed edge lengths.
    """
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2:
        raise ValueError(f"grid_boundary expects a 2-D mask, got {mask.ndim} dimensions")
    n = int(mask.sum())
    index = np.full(mask.shape, -1, dtype=np.int64)
    index[mask] = np.arange(n)
    # right neighbours (share a vertical edge of length dy)
    a_h, b_h = index[:, :-1].ravel(), index[:, 1:].ravel()
    keep_h = (a_h >= 0) & (b_h >= 0)
    # lower neighbours (share a horizontal edge of length dx)
    a_v, b_v = index[:-1, :].ravel(), index[1:, :].ravel()
    keep_v = (a_v >= 0) & (b_v >= 0)
    rows = np.concatenate([a_h[keep_h], a_v[keep_v]])
    cols = np.concatenate([b_h[keep_h], b_v[keep_v]])
    lengths = np.concatenate(
        [np.full(int(keep_h.sum()), float(dy)), np.full(int(keep_v.sum()), float(dx))]
    )
    shared = sp.coo_matrix((lengths, (rows, cols)), shape=(n, n)).tocsr()
    shared = shared + shared.T
    perimeter = 2.0 * (float(dx) + float(dy))
    exposed = perimeter - np.asarray(shared.sum(axis=1)).ravel()
    exposed[np.abs(exposed) < 1e-12 * perimeter] = 0.0
    out = (shared + sp.diags(exposed, format="csr")).tocsr()
    out.eliminate_zeros()
    out.sort_indices()
    return out


def boundary_from_pairs(
    id1: np.ndarray, id2: np.ndarray, length: np.ndarray, n: int
) -> sp.csr_matrix:
    """Symmetric boundary matrix from an edge list of PU positions.

    Each unordered pair should be listed once, in either order (readers check for
    duplicates and report them; here repeated entries are summed). Self pairs
    ``(i, i)`` are exposed edges.
    """
    id1 = np.asarray(id1, dtype=np.int64)
    id2 = np.asarray(id2, dtype=np.int64)
    length = np.asarray(length, dtype=np.float64)
    lo, hi = np.minimum(id1, id2), np.maximum(id1, id2)
    upper = sp.coo_matrix((length, (lo, hi)), shape=(n, n)).tocsr()  # sums duplicates
    diag = upper.diagonal()
    off = sp.triu(upper, k=1)
    out = (off + off.T + sp.diags(diag)).tocsr()
    out.eliminate_zeros()
    out.sort_indices()
    return out


def boundary_length(boundary: sp.spmatrix, selected: np.ndarray, edge_factor: float = 1.0) -> float:
    """Boundary length ``L(x)`` of a selection (see module docstring)."""
    x = np.asarray(selected, dtype=np.float64)
    B = sp.csr_matrix(boundary)
    diag = B.diagonal()
    off = B - sp.diags(diag)
    total_shared = np.asarray(off.sum(axis=1)).ravel()
    linear = float(x @ (edge_factor * diag + total_shared))
    quadratic = float(x @ (off @ x))  # = 2 * sum_{i<j} B_ij x_i x_j
    return linear - quadratic
