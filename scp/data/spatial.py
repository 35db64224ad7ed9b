"""Spatial relations between planning units: adjacency, positions, distances, patches.

Adjacency
---------
Two units are *4-neighbours* when they share an edge (``B_ij > 0`` in the boundary matrix,
for grids and polygons alike). On grids, *8-neighbours* also include the four diagonal cells,
which touch at a corner only (their shared edge length is 0, so they never appear in a
boundary matrix).

Distances
---------
The edge-to-edge distance of two grid cells with centres ``(x_i, y_i)``, ``(x_j, y_j)`` and
cell size ``dx x dy`` is exact for rectangles::

    d_ij = sqrt( max(0, |x_i - x_j| - dx)^2 + max(0, |y_i - y_j| - dy)^2 )

so neighbours (by edge or corner) are at distance 0. For polygons the distance between
centroids is used (documented approximation). A *patch* is a connected component of the
selection under 4-neighbour adjacency.
"""

from __future__ import annotations

import weakref

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from .planning_data import PlanningData
from ..errors import ScenarioError


def grid_adjacency(mask: np.ndarray, neighbours: int = 4) -> sp.csr_matrix:
    """Symmetric 0/1 adjacency of the ``True`` cells of a 2-D grid (C-order numbering).

    Parameters
    ----------
    mask: 2-D boolean array, ``True`` where a cell is a planning unit.
    neighbours: 4 (cells sharing an edge) or 8 (edges and corners).
    """
    if neighbours not in (4, 8):
        raise ScenarioError(f"{neighbours} must be 4 or 8", "neighbours")
    mask = np.asarray(mask, dtype=bool)
    n = int(mask.sum())
    index = np.full(mask.shape, -1, dtype=np.int64)
    index[mask] = np.arange(n)
    offsets = [(0, 1), (1, 0)] + ([(1, 1), (1, -1)] if neighbours == 8 else [])
    rows, cols = [], []
    ny, nx = mask.shape
    for dy, dx in offsets:  # pair cell (r, c) with (r + dy, c + dx)
        a_cols = slice(0, nx - dx) if dx >= 0 else slice(-dx, nx)
        b_cols = slice(dx, nx) if dx >= 0 else slice(0, nx + dx)
        a, b = index[: ny - dy, a_cols], index[dy:, b_cols]
        keep = (a >= 0) & (b >= 0)
        rows.append(a[keep])
        cols.append(b[keep])
    r, c = np.concatenate(rows), np.concatenate(cols)
    adj = sp.coo_matrix((np.ones(r.size), (r, c)), shape=(n, n)).tocsr()
    adj = (adj + adj.T).tocsr()
    adj.sort_indices()
    return adj


def _grid_mask(data: PlanningData) -> tuple[np.ndarray, np.ndarray]:
    """Boolean PU mask of the grid and the PU position of every ``True`` cell (C order)."""
    g = data.grid
    mask = np.zeros(int(np.prod(g.shape)), dtype=bool)
    mask[g.flat_index] = True
    order = np.argsort(g.flat_index, kind="stable")  # PU position of the k-th True cell
    return mask.reshape(g.shape), order


_ADJACENCY: "weakref.WeakKeyDictionary[PlanningData, dict]" = weakref.WeakKeyDictionary()
"""Per planning data object (frozen, compared by identity) and number of neighbours, its adjacency
matrix, built once (contiguity solves ask for it at every evaluation, cut round and join) and
shared read-only."""


def adjacency(data: PlanningData, neighbours: int = 4, purpose: str = "adjacency") -> sp.csr_matrix:
    """Symmetric 0/1 adjacency of the units in data order (see module docstring).

    4-neighbour adjacency comes from the boundary matrix (grids, polygons, tables);
    8-neighbour adjacency needs grid data. Built once per data object and number of neighbours;
    the matrix returned is shared, its arrays read-only (derive a copy to change it).
    """
    known = _ADJACENCY.get(data)
    if known is not None and neighbours in known:
        return known[neighbours]
    adj = _build_adjacency(data, neighbours, purpose)
    adj.sum_duplicates()  # canonical (sorted, no duplicates): nothing needs to write to it later
    for a in (adj.data, adj.indices, adj.indptr):
        a.flags.writeable = False
    _ADJACENCY.setdefault(data, {})[neighbours] = adj
    return adj


def _build_adjacency(data: PlanningData, neighbours: int, purpose: str) -> sp.csr_matrix:
    if neighbours == 8:
        if data.grid is None:
            raise ScenarioError(f"{purpose}: 8-neighbour adjacency needs grid data; use 4 neighbours with "
                                "polygons or tables", purpose)
        mask, order = _grid_mask(data)
        adj = grid_adjacency(mask, 8)
        # reorder from C-order cell numbering to PU order
        perm = sp.csr_matrix((np.ones(order.size), (order, np.arange(order.size))), shape=adj.shape)
        return (perm @ adj @ perm.T).tocsr()
    if neighbours != 4:
        raise ScenarioError(f"{neighbours} must be 4 or 8", purpose)
    if data.boundary is None:
        raise ScenarioError(f"{purpose} needs a boundary matrix (grid data, polygons or a boundary table) to "
                            "know which units are neighbours", purpose)
    B = sp.csr_matrix(data.boundary)
    off = (B - sp.diags(B.diagonal())).tocsr()
    off.eliminate_zeros()
    return (off > 0).astype(np.float64).tocsr()


def patches(data: PlanningData, selected: np.ndarray, neighbours: int = 4) -> np.ndarray:
    """Connected-component label of every selected unit (-1 for unselected units).

    Without a boundary matrix every selected unit is its own patch.
    """
    sel = np.flatnonzero(selected)
    labels = np.full(data.n_pu, -1, dtype=np.int64)
    if sel.size == 0 or (data.boundary is None and neighbours == 4):
        labels[sel] = np.arange(sel.size)
        return labels
    sub = adjacency(data, neighbours)[sel][:, sel]
    _, lab = connected_components(sub, directed=False)
    labels[sel] = lab
    return labels


def parts(adj: sp.csr_matrix, selected: np.ndarray, allowed: np.ndarray | None = None) -> np.ndarray:
    """Component label of every selected (and allowed) unit in the graph restricted to them;
    -1 elsewhere."""
    keep = selected if allowed is None else selected & allowed
    idx = np.flatnonzero(keep)
    labels = np.full(selected.shape[0], -1, dtype=np.int64)
    if idx.size:
        _, lab = connected_components(adj[idx][:, idx], directed=False)
        labels[idx] = lab
    return labels


def patch_areas(data: PlanningData, labels: np.ndarray) -> np.ndarray:
    """Area of every patch (indexed by label), largest first."""
    sel = labels >= 0
    if not sel.any():
        return np.zeros(0)
    areas = np.bincount(labels[sel], weights=data.area[sel])
    return np.sort(areas)[::-1]


def centres(data: PlanningData) -> tuple[np.ndarray, np.ndarray, float, float]:
    """``(x, y, dx, dy)``: unit centres and cell size (0, 0 for polygons: centroid distances).

    Raises
    ------
    ScenarioError
        When the data have neither a grid nor polygon geometry.
    """
    if data.grid is not None:
        g = data.grid
        ydim, xdim = g.dims
        ys, xs = np.asarray(g.coords[ydim], dtype=np.float64), np.asarray(g.coords[xdim], dtype=np.float64)
        row, col = np.divmod(np.asarray(g.flat_index), g.shape[1])
        dy = float(abs(ys[1] - ys[0])) if ys.size > 1 else 1.0
        dx = float(abs(xs[1] - xs[0])) if xs.size > 1 else 1.0
        return xs[col], ys[row], dx, dy
    if data.geometry is not None:
        c = data.geometry.centroid
        return np.asarray(c.x, dtype=np.float64), np.asarray(c.y, dtype=np.float64), 0.0, 0.0
    raise ScenarioError("distances need unit positions: grid data or polygons", "data")


def distance_pairs(data: PlanningData, units: np.ndarray, max_distance: float) -> sp.coo_matrix:
    """Edge-to-edge distances between the given units up to ``max_distance``.

    Returns a COO matrix over ``units`` (positions into ``units``) holding ``d_ij + 1`` for
    every pair ``i != j`` within range (the ``+1`` keeps zero distances as stored entries;
    subtract it from ``.data``).
    """
    from scipy.spatial import cKDTree

    x, y, dx, dy = centres(data)
    units = np.asarray(units, dtype=np.int64)
    pts = np.column_stack([x[units], y[units]])
    reach = float(max_distance) + float(np.hypot(dx, dy))  # centre distance that can still be in range
    pairs = cKDTree(pts).query_pairs(reach, output_type="ndarray")
    if pairs.size == 0:
        return sp.coo_matrix((units.size, units.size))
    i, j = pairs[:, 0], pairs[:, 1]
    gx = np.maximum(0.0, np.abs(pts[i, 0] - pts[j, 0]) - dx)
    gy = np.maximum(0.0, np.abs(pts[i, 1] - pts[j, 1]) - dy)
    d = np.hypot(gx, gy)
    keep = d <= max_distance
    i, j, d = i[keep], j[keep], d[keep]
    return sp.coo_matrix((np.concatenate([d, d]) + 1.0, (np.concatenate([i, j]), np.concatenate([j, i]))),
                         shape=(units.size, units.size))
