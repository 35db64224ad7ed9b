"""Make a selection satisfy its contiguity constraints by adding the cheapest chains of units
(a primal heuristic for the cut loop, :mod:`scp.solving.cut_loop`).

Formulation
-----------
Node-weighted shortest paths: entering unit ``k`` costs ``w_k = c_k + e_k`` (its cost plus the
linear part of its penalties) when it is not selected and 0 when it is, with a floor of
``1e-9 max w`` so that shorter chains win ties; locked-out units cannot be entered. Starting
from the largest part (``mode="selection"``), or from the parts that hold a locked-in unit
(``mode="locked_in"``), the part nearest to the connected set (multi-source Dijkstra) is
joined along its cheapest chain, until every part is joined. Feature contiguity joins the
pieces of each feature within the units that hold it. Adding units keeps every target and
coverage floor of a minimum-set problem met, so the result is feasible whenever such chains
exist (budgets may be broken: :func:`scp.evaluate` decides whether the result is kept).
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from ..data.spatial import adjacency, parts
from ..problem.constraints import status_masks
from ..problem.graph import Contiguity, FeatureContiguity


def _join(adj: sp.csr_matrix, weight: np.ndarray, selected: np.ndarray, allowed: np.ndarray,
          start: np.ndarray | None, stop_at: float | None = None) -> np.ndarray | None:
    """``selected`` with chains added so that its parts within ``allowed`` are joined to the part
    ``start`` (a mask; default the largest part); None when some part cannot be reached, or
    when ``stop_at`` passes first."""
    sel = selected.copy()
    g = adj.tocoo()
    ok = allowed[g.row] & allowed[g.col]
    tails, heads = g.row[ok], g.col[ok]
    floor = 1e-9 * max(float(weight.max()), 1.0)
    while True:
        if stop_at is not None and time.perf_counter() >= stop_at:
            return None
        lab = parts(adj, sel, allowed)
        k = int(lab.max()) + 1
        if k <= 1 and start is None:
            return sel
        if start is None:
            sizes = np.bincount(lab[lab >= 0], minlength=k)
            core = lab == int(np.argmax(sizes))
        else:
            core = np.isin(lab, np.unique(lab[start & (lab >= 0)]))
            if core.sum() == (lab >= 0).sum():
                return sel
        # edge (u -> v) costs the weight of entering v; only allowed units, selected ones free
        w = np.where(sel, 0.0, weight)[heads] + floor
        graph = sp.csr_matrix((w, (tails, heads)), shape=adj.shape)
        dist, pred, _ = dijkstra(graph, directed=True, indices=np.flatnonzero(core), min_only=True,
                                 return_predecessors=True)
        others = (lab >= 0) & ~core
        if not np.isfinite(dist[others]).any():
            return None
        target = int(np.flatnonzero(others)[np.argmin(dist[others])])
        node = target
        while node >= 0 and not core[node]:
            sel[node] = True
            node = pred[node]


def satisfied(data, adj: sp.csr_matrix, graph: list, sel: np.ndarray, locked_in: np.ndarray) -> bool:
    """Whether ``sel`` meets every contiguity constraint in ``graph`` (the same test as their
    ``violation``, on an adjacency computed once)."""
    for c in graph:
        if isinstance(c, FeatureContiguity):
            if any(parts(adj, sel, c.holders(data, k)).max() >= 1 for k in range(len(c.features))):
                return False
        else:
            lab = parts(adj, sel)
            if c.mode == "selection" and lab.max() >= 1:
                return False
            if c.mode == "locked_in" and np.setdiff1d(lab[lab >= 0], lab[locked_in & (lab >= 0)]).size:
                return False
    return True


MAX_PRUNE_CHECKS = 2_000
"""Candidate removals :func:`prune` examines at most (each needs a connectivity check)."""


def prune(problem, selection: np.ndarray, stop_at: float | None = None) -> np.ndarray:
    """Drop selected units, dearest first, whose removal lowers the objective and keeps every
    target, coverage floor, lock and cut-based contiguity constraint satisfied.

    The change of the objective when unit ``i`` leaves is ``-(c_i + e_i - sum_j S_ij x_j)``
    (cost, linear and pair penalty terms of :func:`scp.solving.heuristic.pair_terms`); the
    held amounts are updated per removal, and connectivity is checked with the constraints'
    own ``violation``. At most :data:`MAX_PRUNE_CHECKS` candidates are examined, and none after
    ``stop_at`` (a :func:`time.perf_counter` value)."""
    from .local_search import problem_arrays

    graph = [c for c in problem.constraints if isinstance(c, (Contiguity, FeatureContiguity))]
    arr = problem_arrays(dataclasses.replace(problem, constraints=tuple(
        c for c in problem.constraints if not isinstance(c, (Contiguity, FeatureContiguity)))))
    if arr is None:
        return selection
    data = problem.data
    adj = adjacency(data)
    locked_in, _ = status_masks(data, problem.constraints)
    sel = np.asarray(selection, dtype=bool).copy()
    x = sel.astype(np.float64)
    held = np.asarray(arr.R.T @ x).ravel()
    gain = arr.lin - np.asarray(arr.S @ x).ravel()  # objective saved by removing each unit
    cand = np.flatnonzero(sel & ~locked_in & (gain > 1e-12))
    order = cand[np.argsort(-gain[cand], kind="stable")]
    R = arr.R.tocsr()
    for i in order[:MAX_PRUNE_CHECKS]:
        if stop_at is not None and time.perf_counter() >= stop_at:
            break
        if arr.lin[i] - float((arr.S[i] @ x)[0]) <= 1e-12:
            continue  # no longer a saving after earlier removals
        row = R[i]
        if (held[row.indices] - row.data < arr.need[row.indices]).any():
            continue
        sel[i] = False
        nbrs = adj.indices[adj.indptr[i]:adj.indptr[i + 1]]
        # a unit with at most one selected neighbour (a leaf) never splits a piece when it leaves
        if sel[nbrs].sum() > 1 and not satisfied(data, adj, graph, sel, locked_in):
            sel[i] = True
            continue
        x[i] = 0.0
        held[row.indices] -= row.data
    return sel


def connect(problem, selection: np.ndarray, stop_at: float | None = None,
            discount: np.ndarray | None = None) -> np.ndarray | None:
    """``selection`` made to satisfy every cut-based contiguity constraint of ``problem``, or None
    when a part cannot be joined (see module docstring). ``discount`` (values in [0, 1] per unit,
    e.g. an LP point) scales the weight of entering unit ``k`` by ``1 - discount_k``: chains then
    run through the units the LP relaxation favours."""
    data = problem.data
    adj = adjacency(data)
    locked_in, locked_out = status_masks(data, problem.constraints)
    from .heuristic import pair_terms

    e, _ = pair_terms(problem)
    weight = np.maximum(data.cost + e, 0.0)
    if discount is not None:
        weight = weight * (1.0 - np.clip(discount, 0.0, 1.0))
    everywhere = ~locked_out
    sel = np.asarray(selection, dtype=bool) | locked_in
    graph = [c for c in problem.constraints if isinstance(c, (Contiguity, FeatureContiguity))]
    for _ in range(3):  # a chain for one constraint may split a feature's piece: repeat a few times
        for c in graph:
            todo = ([(c.holders(data, k) & everywhere, None) for k in range(len(c.features))]
                    if isinstance(c, FeatureContiguity) else
                    [(everywhere, locked_in if c.mode == "locked_in" else None)])
            for allowed, start in todo:
                sel = _join(adj, weight, sel, allowed, start, stop_at)
                if sel is None:
                    return None
        if satisfied(data, adj, graph, sel, locked_in):
            return prune(problem, sel, stop_at)
    return None
