"""Connectivity from a resistance surface: least-cost distances and dispersal kernels.

Mathematical formulation
------------------------
Units are the nodes of a graph whose edges join neighbours (8-neighbour on grids, units
sharing an edge otherwise). Crossing from ``i`` to neighbour ``j`` costs the step length times
the mean resistance of the two units::

    w_ij = s_ij (r_i + r_j) / 2        (s_ij: centre-to-centre distance)

The least-cost distance ``d_ij`` is the cheapest path cost (Dijkstra, ``scipy.sparse.csgraph``),
in map units weighted by resistance (resistance 1 everywhere gives Euclidean-like distances
along the grid). The dispersal kernel of a species with dispersal distance ``alpha`` is::

    K_ij = q_i exp(-d_ij / alpha)          for i != j and d_ij <= d_max

with ``d_max = alpha ln(1000)`` by default (``K < 0.001`` is dropped) and an optional source
weight ``q_i`` (habitat quality of the source unit; ``q = 1`` gives a symmetric matrix). ``K``
can be used as a symmetric connectivity penalty (``q = 1``) or an asymmetric one (flows out
of ``i``, weighted by ``q_i``; Beger et al. 2010).

References
----------
Adriaensen et al. (2003) Landscape and Urban Planning 64:233-247 (least-cost modelling).
Saura & Pascual-Hortal (2007) Landscape and Urban Planning 83:91-103 (dispersal kernels).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from .planning_data import PlanningData
from ..errors import DataError, ScenarioError
from .spatial import adjacency, centres


def check_resistance(data: PlanningData, resistance, where: str = "resistance") -> np.ndarray:
    """A finite, strictly positive resistance per PU (or an error naming the PUs)."""
    r = np.asarray(resistance, dtype=np.float64)
    if r.shape != (data.n_pu,):
        raise DataError(f"{where}: expected one value per PU ({data.n_pu}), got shape {r.shape}")
    bad = ~np.isfinite(r) | (r <= 0)
    if bad.any():
        raise DataError(f"{where}: {int(bad.sum())} PU(s) have a resistance that is not a positive number "
                        f"(first PU ids {data.ids[bad][:5].tolist()}); resistance must be > 0 (1 = no "
                        "extra resistance)")
    return r


def step_graph(data: PlanningData, resistance: np.ndarray, neighbours: int | None = None) -> sp.csr_matrix:
    """Symmetric graph of neighbour steps with weights ``w_ij = s_ij (r_i + r_j) / 2``."""
    if neighbours is None:
        neighbours = 8 if data.grid is not None else 4
    adj = sp.triu(adjacency(data, neighbours), k=1).tocoo()
    x, y, _, _ = centres(data)
    i, j = adj.row, adj.col
    step = np.hypot(x[i] - x[j], y[i] - y[j])
    w = step * 0.5 * (resistance[i] + resistance[j])
    g = sp.coo_matrix((w, (i, j)), shape=(data.n_pu, data.n_pu)).tocsr()
    return (g + g.T).tocsr()


def least_cost_distances(data: PlanningData, resistance, max_cost: float, *,
                         neighbours: int | None = None, chunk_bytes: int = 200_000_000) -> sp.csr_matrix:
    """Least-cost distances ``d_ij`` (``i != j``) up to ``max_cost`` as a sparse matrix.

    Entries are stored as ``d_ij`` (always > 0 since resistance and steps are > 0). Sources are
    processed in chunks so that memory stays below ``chunk_bytes`` per chunk.
    """
    r = check_resistance(data, resistance)
    if not max_cost > 0:
        raise ScenarioError(f"{max_cost} must be > 0", "max_distance")
    g = step_graph(data, r, neighbours)
    n = data.n_pu
    chunk = max(1, int(chunk_bytes // (8 * max(n, 1))))
    rows, cols, vals = [], [], []
    for start in range(0, n, chunk):
        src = np.arange(start, min(n, start + chunk))
        d = dijkstra(g, directed=False, indices=src, limit=float(max_cost))
        d[np.arange(src.size), src] = np.inf
        r, c = np.nonzero(np.isfinite(d))
        rows.append(r + start)
        cols.append(c)
        vals.append(d[r, c])
    out = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
    out.sort_indices()
    return out


def dispersal_kernel(distances: sp.csr_matrix, alpha: float, source_weight=None) -> sp.csr_matrix:
    """``K_ij = q_i exp(-d_ij / alpha)`` on the stored entries of ``distances``."""
    if not alpha > 0:
        raise ScenarioError(f"{alpha} must be > 0 (map units)", "dispersal_distance")
    D = sp.csr_matrix(distances, copy=True)
    D.data = np.exp(-D.data / float(alpha))
    if source_weight is not None:
        q = np.asarray(source_weight, dtype=np.float64)
        if q.shape != (D.shape[0],) or not np.isfinite(q).all() or (q < 0).any():
            raise DataError("source_weight: expected one finite value >= 0 per PU")
        D = sp.diags(q) @ D
    D = sp.csr_matrix(D)
    D.eliminate_zeros()
    return D


def resistance_connectivity(data: PlanningData, resistance, dispersal_distance: float, *,
                            max_distance: float | None = None, neighbours: int | None = None,
                            source_weight=None) -> sp.csr_matrix:
    """Dispersal-kernel connectivity matrix from a resistance surface (see module docstring)."""
    if not dispersal_distance > 0:
        raise ScenarioError(f"{dispersal_distance} must be > 0 (map units)", "dispersal_distance")
    d_max = float(max_distance) if max_distance is not None else float(dispersal_distance) * np.log(1000.0)
    d = least_cost_distances(data, resistance, d_max, neighbours=neighbours)
    return dispersal_kernel(d, dispersal_distance, source_weight)
