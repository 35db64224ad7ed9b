"""Brute-force enumeration of every selection of a small problem, written independently
of the compiler: all 2^n selections as rows of a 0/1 matrix, every quantity vectorised."""

from __future__ import annotations

import numpy as np

import scp
from scp.problem.constraints import Budget, Coverage, GroupTarget, Linear, Locked
from scp.problem.penalties import BoundaryPenalty, ConnectivityPenalty, LinearPenalty


def all_selections(n: int) -> np.ndarray:
    codes = np.arange(2 ** n, dtype=np.int64)
    return ((codes[:, None] >> np.arange(n)) & 1).astype(np.float64)


def cut(X: np.ndarray, M: np.ndarray) -> np.ndarray:
    """sum_{i != j} M_ij x_i (1 - x_j) for every row x of X."""
    M = M - np.diag(np.diag(M))
    return np.einsum("ki,ij,kj->k", X, M, 1 - X)


def piece_labels(adj, X: np.ndarray) -> np.ndarray:
    """For every row of the 0/1 matrix ``X`` (one selection per row), each selected unit's piece
    label (the smallest unit index of its piece in the adjacency graph ``adj``), ``n`` for units
    not selected: labels spread along selected neighbours until they settle, all rows at once."""
    X = np.asarray(X, dtype=bool)
    n = X.shape[1]
    adj = adj.tocsr()
    neighbours = [adj.indices[adj.indptr[i]:adj.indptr[i + 1]] for i in range(n)]
    labels = np.where(X, np.arange(n), n)
    while True:
        spread = labels.copy()
        for i in range(n):  # a loop over the units of a small grid, every selection at once
            if neighbours[i].size:
                spread[:, i] = np.minimum(spread[:, i], labels[:, neighbours[i]].min(axis=1))
        spread = np.where(X, spread, n)
        if (spread == labels).all():
            return labels
        labels = spread


def connected_all(adj, X: np.ndarray, allowed: np.ndarray | None = None) -> np.ndarray:
    """Per row of ``X``: whether its selected (and ``allowed``) units form at most one piece."""
    keep = np.asarray(X, dtype=bool) if allowed is None else np.asarray(X, dtype=bool) & allowed
    labels = piece_labels(adj, keep)
    return ((labels == labels.min(axis=1, keepdims=True)) | ~keep).all(axis=1)


def rooted_all(adj, X: np.ndarray, roots: np.ndarray) -> np.ndarray:
    """Per row of ``X``: whether every piece of its selection holds a unit of ``roots``."""
    X = np.asarray(X, dtype=bool)
    labels = piece_labels(adj, X)
    k, n = X.shape
    has_root = np.zeros((k, n + 1), dtype=bool)
    rows, cols = np.nonzero(X & roots)
    has_root[rows, labels[rows, cols]] = True
    return (has_root[np.arange(k)[:, None], labels] | ~X).all(axis=1)


def brute_force(problem: scp.Problem) -> tuple[float, np.ndarray] | None:
    """(optimal objective in the problem's sense, feasible mask) or None when infeasible."""
    obj, ok, best = enumerate_all(problem)
    return None if best is None else (float(best), ok)


def enumerate_all(problem: scp.Problem) -> tuple[np.ndarray, np.ndarray, float | None]:
    """``(objective, feasible, best)`` of every selection (rows of :func:`all_selections`), the
    objective in the problem's own sense; ``best`` None when none is feasible."""
    d = problem.data
    X = all_selections(d.n_pu)
    R = d.rij.toarray()
    held = X @ R.T
    t = problem.resolved_targets()
    ok = np.ones(len(X), dtype=bool)
    if problem.objective.name in ("min_set", "min_penalties"):
        has = np.isfinite(t)
        ok &= (held[:, has] >= t[has] - 1e-9).all(axis=1)
    li = d.status == 1
    lo = d.status == 2
    for c in problem.constraints:
        if isinstance(c, Locked):
            (li if c.value == 1 else lo)[c.mask] = True
    ok &= (X[:, li] == 1).all(axis=1) & (X[:, lo] == 0).all(axis=1)
    cost = X @ d.cost
    budgets = [c.amount for c in problem.constraints if isinstance(c, Budget)]
    if getattr(problem.objective, "budget", None) is not None:
        budgets.append(problem.objective.budget)
    for b in budgets:
        ok &= cost <= b + 1e-9
    for c in problem.constraints:
        if isinstance(c, Coverage):
            groups = [np.ones(d.n_pu, bool)] if c.by is None else [d.jurisdiction == k for k in d.jurisdictions]
            for g in groups:
                ok &= X[:, g] @ d.area[g] >= c.fraction * d.area[g].sum() - 1e-9
        elif isinstance(c, GroupTarget):
            ok &= held[:, c.indices(d)].sum(axis=1) >= c.amount(d) - 1e-9
        elif isinstance(c, Linear):
            v = X @ c.coefficients
            ok &= {"<=": v <= c.rhs + 1e-9, ">=": v >= c.rhs - 1e-9, "==": np.abs(v - c.rhs) <= 1e-9}[c.sense]
    pen = np.zeros(len(X))
    for p in problem.penalties:
        if isinstance(p, BoundaryPenalty):
            B = d.boundary.toarray()
            pen += p.penalty * (p.edge_factor * X @ np.diag(B) + cut(X, B))
        elif isinstance(p, ConnectivityPenalty):
            D = p.resolve(d).toarray()
            if not p.asymmetric:
                D = (D + D.T) / 2
            pen += p.penalty * cut(X, D)
        elif isinstance(p, LinearPenalty):
            pen += p.penalty * (X @ p.values)
    name = problem.objective.name
    w = problem.objective_weights()
    if name in ("min_set", "min_penalties"):
        obj = cost + pen if name == "min_set" else pen
        best = obj[ok].min() if ok.any() else None
    elif name == "max_utility":
        obj = held @ w - pen
        best = obj[ok].max() if ok.any() else None
    elif name in ("max_features_met", "max_cover"):  # with prioritizr's tie-break to the cheapest
        if name == "max_features_met":
            has = np.isfinite(t) & (np.nan_to_num(t) > 0)
            counted, wc = (held[:, has] >= t[has] - 1e-9), w[has]
        else:
            counted, wc = (X @ (R > 0).T.astype(float)) > 0, w
        s = 0.01 * wc[wc > 0].min() / d.cost.sum() if (wc > 0).any() and d.cost.sum() > 0 else 0.0
        obj = counted @ wc - s * cost - pen
        best = obj[ok].max() if ok.any() else None
    else:
        has = np.isfinite(t) & (np.nan_to_num(t) > 0)
        rel = np.maximum(0, t[has] - held[:, has]) / t[has]
        obj = (rel * w[has]).max(axis=1) + pen if name == "min_largest_shortfall" else rel @ w[has] + pen
        best = obj[ok].min() if ok.any() else None
    return obj, ok, best
