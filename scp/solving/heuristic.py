"""A fast primal heuristic for minimum-set problems: a feasible selection to warm-start the solver.

1. **Greedy in rounds.** Starting from the locked-in units, free units are ranked by cost per
   unit of what is still missing,

   ``score_i = c_i / (sum_j min(r_ij, n_j) / n_j + sum_g min(a_i, N_g) [i in g] / N_g)``

   (unmet features ``j`` missing ``n_j``, coverage groups ``g`` missing area ``N_g``); the shortest
   prefix of the ranking that meets one more need is added, and the ranking is recomputed. At
   most one round per feature and group, each a few cumulative sums (no loop over units).
   With a given ``order`` (e.g. an LP relaxation, largest first) the shortest prefix of that
   order meeting every need is taken instead.
2. **Improvement** (objective ``c x + e x - sum_{i<j} W_ij x_i x_j`` with the penalties' pair
   weights ``W``, ``S = W + W^T``), alternated until nothing improves:

   * *add* every unit with ``c_i + e_i - sum_j S_ij x_j < 0``: adding several at once is at
     least as good as the sum of their gains because ``S >= 0``;
   * *drop* redundant units, most expensive first, in batches whose cumulative amounts fit in
     every feature's and coverage group's slack, keeping a batch only if the objective falls.

The result is feasible for targets, coverage and locks (checked by :func:`scp.evaluate`). Problems
with other constraints (budget, linear, contiguity, corridors, neighbours) or another objective
are not handled: :func:`greedy_selection` returns ``None``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..problem.constraints import Coverage, Locked, status_masks
from ..results.evaluate import evaluate
from .backends.highs import lp_relaxation


def supported(problem) -> bool:
    """Whether the heuristics handle ``problem``: minimum set with targets, coverage and locks."""
    return problem.objective.name == "min_set" and all(isinstance(c, (Coverage, Locked)) for c in problem.constraints)


def has_pair_penalties(problem) -> bool:
    """Whether ``problem`` is handled by the heuristics and has a boundary or connectivity penalty."""
    return supported(problem) and any(p.penalty > 0 for p in problem.penalties)


def pair_terms(problem) -> tuple[np.ndarray, sp.csr_matrix]:
    """The penalties' linear part ``e`` and symmetric pair weights ``S = W + W^T`` (zero diagonal)."""
    n = problem.data.n_pu
    e = np.zeros(n)
    W = sp.csr_matrix((n, n))
    for p in problem.penalties:
        if p.penalty > 0:
            ei, Wi = p.terms(problem.data)
            e += ei
            W = W + Wi
    W = sp.triu(W, k=1).tocsr()
    return e, (W + W.T).tocsr()


def _needs(problem, x: np.ndarray):
    """Remaining need per feature and per coverage group for selection ``x``."""
    data = problem.data
    t = np.nan_to_num(problem.resolved_targets(), nan=0.0)
    held = np.asarray(data.rij @ x.astype(np.float64)).ravel()
    groups = []
    for c in problem.constraints:
        if isinstance(c, Coverage):
            for _, mask in c.groups(data):
                groups.append((mask, c.fraction * float(data.area[mask].sum()) - float(data.area[mask] @ x[mask])))
    return t, t - held, groups


def _prefix_length(R: sp.csr_matrix, need: np.ndarray, order: np.ndarray, groups, area: np.ndarray) -> int | None:
    """Shortest prefix of ``order`` whose amounts meet every positive need (None if none does)."""
    Ro = sp.csr_matrix(R[:, order])
    Ro.sort_indices()
    k = 0
    tol = 1e-9
    for j in np.flatnonzero(need > tol * np.maximum(1.0, np.abs(need))):
        lo, hi = Ro.indptr[j], Ro.indptr[j + 1]
        cum = np.cumsum(Ro.data[lo:hi])
        pos = int(np.searchsorted(cum, need[j] * (1 - 1e-12)))
        if pos >= cum.size:
            return None
        k = max(k, int(Ro.indices[lo + pos]) + 1)
    for mask, need_g in groups:
        if need_g > 0:
            cum = np.cumsum(area[order] * mask[order])
            pos = int(np.searchsorted(cum, need_g * (1 - 1e-12)))
            if pos >= cum.size:
                return None
            k = max(k, pos + 1)
    return k


def _shortest_step(R: sp.csr_matrix, need: np.ndarray, unmet: np.ndarray, ranked: np.ndarray, groups,
                   area: np.ndarray) -> int | None:
    """Shortest prefix of ``ranked`` that meets at least one more need (None if none can be met)."""
    Ro = sp.csr_matrix(R[:, ranked])
    Ro.sort_indices()
    best = None
    for j in np.flatnonzero(unmet):
        lo, hi = Ro.indptr[j], Ro.indptr[j + 1]
        cum = np.cumsum(Ro.data[lo:hi])
        pos = int(np.searchsorted(cum, need[j] * (1 - 1e-12)))
        if pos < cum.size:
            k = int(Ro.indices[lo + pos]) + 1
            best = k if best is None else min(best, k)
    for mask, need_g in groups:
        cum = np.cumsum(area[ranked] * mask[ranked])
        pos = int(np.searchsorted(cum, need_g * (1 - 1e-12)))
        if pos < cum.size:
            best = pos + 1 if best is None else min(best, pos + 1)
    return best


def _drop_batch(problem, x: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Longest prefix of ``candidates`` (selected units) removable without breaking targets/coverage."""
    data = problem.data
    t, need, groups = _needs(problem, x)
    slack = -need  # >= 0 when met
    if candidates.size == 0:
        return candidates
    Rc = sp.csr_matrix(data.rij[:, candidates])
    Rc.sort_indices()
    limit = candidates.size
    for j in range(data.n_features):
        lo, hi = Rc.indptr[j], Rc.indptr[j + 1]
        if hi == lo:
            continue
        cum = np.cumsum(Rc.data[lo:hi])
        over = np.flatnonzero(cum > slack[j] + 1e-9 * max(1.0, abs(t[j])))
        if over.size:
            limit = min(limit, int(Rc.indices[lo + over[0]]))
    for mask, need_g in groups:
        cum = np.cumsum(data.area[candidates] * mask[candidates])
        over = np.flatnonzero(cum > -need_g + 1e-9 * max(1.0, abs(need_g)))
        if over.size:
            limit = min(limit, int(over[0]))
    return candidates[:limit]


def greedy_selection(problem, order: np.ndarray | None = None, rounds: int = 20,
                     max_evaluations: int = 60, stop_at: float | None = None) -> np.ndarray | None:
    """A feasible selection for a minimum-set ``problem`` (see module docstring), or ``None``.

    ``rounds`` bounds the add/drop alternations and ``max_evaluations`` the drop batches tried
    per round (each costs one evaluation of the objective); the improvement stops at
    ``stop_at`` (a :func:`time.perf_counter` value; the first feasible selection is always built).
    """
    if not supported(problem):
        return None
    data = problem.data
    n = data.n_pu
    locked_in, locked_out = status_masks(data, problem.constraints)
    x = locked_in.copy()
    t, need, groups = _needs(problem, x)
    free = np.flatnonzero(~locked_in & ~locked_out)
    if order is not None:
        order = np.asarray(order, dtype=np.int64)
        ranked = order[np.isin(order, free)]
        k = _prefix_length(data.rij, need, ranked, groups, data.area)
        if k is None:
            return None
        x[ranked[:k]] = True
    else:
        R = data.rij.tocoo()
        for _ in range(data.n_features + len(groups) + 1):
            t, need, groups = _needs(problem, x)
            unmet = need > 1e-9 * np.maximum(1.0, np.abs(t))
            open_groups = [(m, g) for m, g in groups if g > 0]
            if not unmet.any() and not open_groups:
                break
            # value of each unit for what is still missing (each need scaled to 1)
            nd = np.where(unmet, need, np.inf)
            gain = np.bincount(R.col, weights=np.minimum(R.data, nd[R.row]) / nd[R.row], minlength=n)
            for mask, need_g in open_groups:
                gain += np.minimum(data.area, need_g) * mask / need_g
            cand = free[~x[free] & (gain[free] > 0)]
            if cand.size == 0:
                return None
            ranked = cand[np.argsort(data.cost[cand] / gain[cand], kind="stable")]
            k = _shortest_step(data.rij, need, unmet, ranked, open_groups, data.area)
            if k is None:
                return None
            x[ranked[:k]] = True
    e, S = pair_terms(problem)
    best = evaluate(problem, x).objective
    for _ in range(rounds):
        if stop_at is not None and time.perf_counter() >= stop_at:
            break
        improved = False
        if S.nnz:
            gain_add = data.cost + e - S @ x.astype(np.float64)
            add = ~x & ~locked_out & (gain_add < -1e-12)
            if add.any():
                trial = x | add
                obj = evaluate(problem, trial).objective
                if obj < best - 1e-9:
                    x, best, improved = trial, obj, True
        # drop: most expensive (net of the penalty saved) first
        xf = x.astype(np.float64)
        saving = data.cost + e - (S @ xf if S.nnz else 0.0)
        cand = np.flatnonzero(x & ~locked_in & (saving > 0))
        cand = cand[np.argsort(-saving[cand], kind="stable")]
        tries = 0
        while cand.size and tries < max_evaluations and not (stop_at is not None and time.perf_counter() >= stop_at):
            tries += 1
            batch = _drop_batch(problem, x, cand)
            if batch.size == 0:
                cand = cand[1:]  # the first candidate cannot go: try the next ones
                continue
            trial = x.copy()
            trial[batch] = False
            obj = evaluate(problem, trial).objective
            if obj < best - 1e-9:
                x, best, improved = trial, obj, True
                cand = cand[batch.size:]
            else:
                cand = cand[max(1, batch.size // 2):] if batch.size > 1 else cand[1:]
        if not improved:
            break
    return x if evaluate(problem, x).feasible else None


def full_start(model, selection: np.ndarray) -> np.ndarray:
    """A complete column vector for ``model`` from a selection, when every extra column block is
    a penalty linearisation (``y_ij = x_i x_j``, ``v_i = x_i sum_j S_ij x_j``) or the root of
    cut-based contiguity (on its fixed unit, else the first selected unit); otherwise just the
    selection (the solver completes it)."""
    x = np.asarray(selection, dtype=np.float64)
    out = np.zeros(model.n_cols)
    out[: model.n_pu] = x
    known = {"x"}
    if "pair_ij" in model.info:
        i, j = model.info["pair_ij"]
        out[model.cols("pair_aux")] = x[i] * x[j]
        known.add("pair_aux")
    if "pair_cost_ij" in model.info:
        i, j = model.info["pair_cost_ij"]
        out[model.cols("pair_aux_cost")] = x[i] * x[j]
        known.add("pair_aux_cost")
    if "pair_compact" in model.info:
        units, S = model.info["pair_compact"]
        out[model.cols("pair_compact")] = x[units] * (S[units] @ x)
        known.add("pair_compact")
    if "contiguity_root" in model.col_tags():
        roots = model.cols("contiguity_root")
        fixed = np.flatnonzero(model.col_lower[roots] > 0.5)  # a root fixed on a locked-in unit
        chosen = fixed if fixed.size else np.flatnonzero(x > 0.5)
        if chosen.size:
            out[roots.start + chosen[0]] = 1.0
        known.add("contiguity_root")
    if set(model.col_tags()) - known:
        return x
    return out


@dataclass
class Start:
    """Result of :func:`lp_guided_start`: a feasible selection and the LP bound."""

    selection: np.ndarray | None
    objective: float      # of the selection (model's minimisation form)
    lp_bound: float       # LP relaxation bound (nan when the LP did not solve)
    lp_seconds: float
    heuristic_seconds: float
    local_search_seconds: float = 0.0
    local_search_gain: float = 0.0
    annealing_seconds: float = 0.0
    neighbourhood_seconds: float = 0.0
    neighbourhood_gain: float = 0.0
    lp_x: np.ndarray | None = None  # the LP relaxation's values of the units (None when it did not solve)

    @property
    def gap(self) -> float:
        """Relative gap of the selection to the LP bound (inf when unknown)."""
        if self.selection is None or not np.isfinite(self.lp_bound):
            return float("inf")
        return max(0.0, (self.objective - self.lp_bound) / max(abs(self.objective), 1e-12))


def lp_guided_start(problem, model, time_limit: float | None = None, threads: int | None = None,
                    stop_at: float | None = None) -> Start:
    """LP relaxation (interior point), then :func:`greedy_selection` along the LP values (largest
    first, ties by the greedy score) and the greedy ranking alone; the better selection is kept.

    The bound is the Lagrangian bound of the LP's row duals (valid even when the interior-point
    method stopped early; see :mod:`scp.model.dual_bound`): when the selection is within the
    requested gap of it, no branch-and-bound is needed. The greedy's improvement steps stop at
    ``stop_at`` (the caller's deadline).
    """
    t0 = time.perf_counter()
    x_lp, lp = lp_relaxation(model, time_limit, threads) if supported(problem) else (None, float("nan"))
    t1 = time.perf_counter()
    candidates = [greedy_selection(problem, stop_at=stop_at)]
    if x_lp is not None:
        v = x_lp[: model.n_pu]
        order = np.lexsort((problem.data.cost, -np.round(v, 6)))
        candidates.append(greedy_selection(problem, order=order, stop_at=stop_at))
    best, best_obj = None, float("inf")
    for x in candidates:
        if x is not None:
            o = evaluate(problem, x).objective
            if o < best_obj:
                best, best_obj = x, o
    bound = lp - 1e-9 * max(1.0, abs(lp)) if np.isfinite(lp) else float("nan")  # floating-point slack
    return Start(best, best_obj, bound, t1 - t0, time.perf_counter() - t1,
                 lp_x=None if x_lp is None else x_lp[: model.n_pu].copy())
