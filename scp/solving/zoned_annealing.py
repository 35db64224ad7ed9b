"""Penalised-shortfall annealing over zone allocations (the zoned counterpart of
:mod:`scp.solving.annealing`).

Mathematical formulation
------------------------
With the flattened decisions ``x_(z,i)`` of :mod:`scp.model.zoned`, the penalties are
``e'x - x'Wx`` (:func:`~scp.model.zoned.zone_pair_terms`, ``S = W + W^T``) and every target, zone
target and coverage row ``k`` of the compiled model reads ``sum_v R_vk x_v >= t_k``. The annealer
minimises ``g(x) = c'x + e'x - x'Wx + sum_k w_k max(0, t_k - (R'x)_k)`` over moves that put one
unit in another state (another zone it may go to, or no zone unless it must be in one): the
change is ``-(l_a - n_a) + (l_b - n_b)`` for leaving flat variable ``a = (z_old, i)`` and joining
``b = (z_new, i)`` (``l = c + e``, ``n = S x``; ``S`` has no entry between two zones of the same
unit, so the two parts add), plus the change of the shortfall terms. Weights ``w_k``, the
schedule, the descent at temperature zero and the greedy repair follow
:mod:`scp.solving.annealing`; the result is checked by :func:`~scp.results.zoned.evaluate_zoned`
by the caller. Minimum-set problems without a budget only (others give None).
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp

from ..model.zoned import zone_pair_terms
from ..problem.zoned import ZonedProblem
from .annealing import _shortfall_change, accepts, shortfall_weights
from .local_search import Arrays, _flip, njit

ROW_TAGS = ("target", "zone_target:", "coverage:")


@njit(cache=True, nogil=True)
def _parts(i, a, b, n, lin, nbr, r_ptr, r_idx, r_val, held, need, weight):  # pragma: no cover - compiled
    """(change of the objective part, change of the weighted shortfall) when unit ``i`` goes from
    state ``a`` to ``b`` (-1: no zone); ``held`` is left as it was."""
    d_obj = 0.0
    d_short = 0.0
    if a >= 0:
        va = a * n + i
        d_obj -= lin[va] - nbr[va]
        d_short += _shortfall_change(va, -1.0, r_ptr, r_idx, r_val, held, need, weight)
        for p in range(r_ptr[va], r_ptr[va + 1]):
            held[r_idx[p]] -= r_val[p]
    if b >= 0:
        vb = b * n + i
        d_obj += lin[vb] - nbr[vb]
        d_short += _shortfall_change(vb, 1.0, r_ptr, r_idx, r_val, held, need, weight)
    if a >= 0:
        va = a * n + i
        for p in range(r_ptr[va], r_ptr[va + 1]):
            held[r_idx[p]] += r_val[p]
    return d_obj, d_short


@njit(cache=True, nogil=True)
def _change(i, a, b, n, lin, nbr, r_ptr, r_idx, r_val, held, need, weight):  # pragma: no cover - compiled
    """Change of ``g`` when unit ``i`` goes from state ``a`` to ``b``."""
    d_obj, d_short = _parts(i, a, b, n, lin, nbr, r_ptr, r_idx, r_val, held, need, weight)
    return d_obj + d_short


@njit(cache=True, nogil=True)
def _relocate(x, state, i, b, n, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held):  # pragma: no cover
    a = state[i]
    if a >= 0:
        _flip(x, a * n + i, -1.0, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held)
    if b >= 0:
        _flip(x, b * n + i, 1.0, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held)
    state[i] = b


@njit(cache=True, nogil=True)
def _zone_moves(x, state, n, z, lin, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held, need, weight, options,
                n_options, movable, carried, moves, per_temp, cool, seed):  # pragma: no cover - compiled
    """``moves`` Metropolis relocations; ``options[i, :n_options[i]]`` are the states unit ``i``
    may take; ``carried`` = [step, g, temperature]."""
    np.random.seed(seed)
    step = int(carried[0])
    g = carried[1]
    temp = carried[2]
    for _ in range(moves):
        i = movable[np.random.randint(movable.size)]
        b = options[i, np.random.randint(n_options[i])]
        a = state[i]
        if b != a:
            d = _change(i, a, b, n, lin, nbr, r_ptr, r_idx, r_val, held, need, weight)
            if accepts(d, temp):
                _relocate(x, state, i, b, n, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held)
                g += d
        step += 1
        if step % per_temp == 0:
            temp *= cool
    carried[0] = step
    carried[1] = g
    carried[2] = temp


@njit(cache=True, nogil=True)
def _zone_descent(x, state, n, lin, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held, need, weight, options,
                  n_options, movable):  # pragma: no cover - compiled
    """Best improving relocation of each unit in sweeps until none is left (on ``g``)."""
    improved = True
    while improved:
        improved = False
        for q in range(movable.size):
            i = movable[q]
            best, best_d = -2, -1e-9
            for k in range(n_options[i]):
                b = options[i, k]
                if b != state[i]:
                    d = _change(i, state[i], b, n, lin, nbr, r_ptr, r_idx, r_val, held, need, weight)
                    if d < best_d:
                        best, best_d = b, d
            if best > -2:
                _relocate(x, state, i, best, n, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held)
                improved = True


@njit(cache=True, nogil=True)
def _zone_repair(x, state, n, lin, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held, need, weight, options,
                 n_options, movable):  # pragma: no cover - compiled
    """Relocations that reduce the weighted shortfall most per unit of objective increase, until
    every row is met; False when none helps."""
    while True:
        short = False
        for k in range(need.size):
            if held[k] < need[k]:
                short = True
                break
        if not short:
            return True
        best_i, best_b, best_score = -1, -2, -1.0
        for q in range(movable.size):
            i = movable[q]
            for k in range(n_options[i]):
                b = options[i, k]
                if b == state[i]:
                    continue
                d_obj, d_short = _parts(i, state[i], b, n, lin, nbr, r_ptr, r_idx, r_val, held, need, weight)
                if d_short >= -1e-12:
                    continue
                score = -d_short / max(d_obj, 1e-12)
                if score > best_score:
                    best_i, best_b, best_score = i, b, score
        if best_i < 0:
            return False
        _relocate(x, state, best_i, best_b, n, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held)


def zoned_arrays(problem: ZonedProblem, model):
    """(Arrays over the flattened decisions, options per unit, number of options, movable units),
    or None for problems the annealer does not handle."""
    from ..problem.constraints import Budget

    if problem.objective.name != "min_set" or any(isinstance(c, Budget) for c in problem.base.constraints):
        return None
    n, z = problem.data.n_pu, problem.zones.n_zones
    nz = n * z
    tags = [t for t in model.row_tags() if t == "target" or t.startswith(ROW_TAGS[1:])]
    blocks = [model.A[model.rows(t)][:, :nz] for t in tags]
    R = sp.vstack(blocks, format="csr").T.tocsr() if blocks else sp.csr_matrix((nz, 0))
    need = np.concatenate([model.row_lower[model.rows(t)] for t in tags]) if tags else np.zeros(0)
    need = need - 1e-9 * np.maximum(1.0, np.abs(need))
    e, W = zone_pair_terms(problem)
    lin = problem.zones.cost.T.ravel() + e
    allowed, need_some = problem.allowed()
    options = np.full((n, z + 1), -1, dtype=np.int64)
    counts = np.zeros(n, dtype=np.int64)
    for k in range(z):  # loop over zones (a few), vectorised over units
        rows = np.flatnonzero(allowed[:, k])
        options[rows, counts[rows]] = k
        counts[rows] += 1
    rows = np.flatnonzero(~need_some)
    options[rows, counts[rows]] = -1
    counts[rows] += 1
    movable = np.flatnonzero(counts > 1).astype(np.int64)
    free = np.flatnonzero(allowed.T.ravel()).astype(np.int64)
    arr = Arrays(lin, (W + W.T).tocsr(), R, need, free, np.zeros(nz, dtype=bool))
    return arr, options, counts, movable


def anneal_zoned(problem: ZonedProblem, model, *, seed: int = 0, sweeps: int = 300, n_temps: int = 1000,
                 deadline_at: float | None = None, chains: int | None = None) -> np.ndarray | None:
    """The best allocation (zone per unit, -1 none) of ``chains`` annealing chains from the
    cheapest start that meets the locks (units that must be in a zone go to their cheapest
    allowed zone); None when the problem is not handled or no chain meets every row."""
    prepared = zoned_arrays(problem, model)
    if prepared is None:
        return None
    arr, options, counts, movable = prepared
    if movable.size == 0:
        return None
    n, z = problem.data.n_pu, problem.zones.n_zones
    weight = shortfall_weights(arr)
    state0 = np.full(n, -1, dtype=np.int64)
    allowed, need_some = problem.allowed()
    cheapest = np.where(allowed, problem.zones.cost, np.inf).argmin(axis=1)
    state0[need_some] = cheapest[need_some]
    moves = int(min(max(sweeps * movable.size, 100_000), 50_000_000))
    chains = chains or max(1, min(4, os.cpu_count() or 1))

    def chain(k: int):
        state = state0.copy()
        x = np.zeros(n * z)
        x[state[state >= 0] * n + np.flatnonzero(state >= 0)] = 1.0
        S, R = arr.S, arr.R
        nbr = np.asarray(S @ x).ravel()
        held = np.asarray(R.T @ x).ravel() if R.shape[1] else np.zeros(0)
        base = arr.lin[arr.free] - nbr[arr.free]
        t0 = 2.0 * float(np.mean(np.abs(base))) if base.size else 0.0
        carried = np.array([0.0, 0.0, t0])
        per_temp, cool = max(1, moves // n_temps), (1e-4) ** (1.0 / n_temps)
        args = (S.indptr, S.indices, S.data, nbr, R.indptr, R.indices, R.data, held, arr.need, weight, options, counts,
                movable)
        done, chunk = 0, 0
        while done < moves and not (deadline_at is not None and time.perf_counter() >= deadline_at):
            m = min(250_000, moves - done)
            _zone_moves(x, state, n, z, arr.lin, *args[:-3], options, counts, movable, carried, m, per_temp, cool,
                        ((seed + k) * 1_000_003 + chunk) % (2**31 - 1))
            done, chunk = done + m, chunk + 1
        _zone_descent(x, state, n, arr.lin, *args)
        if not _zone_repair(x, state, n, arr.lin, *args):
            return None, np.inf
        _zone_descent_feasible(x, state, n, arr, args)
        return state, float((arr.lin @ x) - 0.5 * x @ (S @ x))

    with ThreadPoolExecutor(max_workers=chains) as pool:
        runs = list(pool.map(chain, range(chains)))
    k = int(np.argmin([r[1] for r in runs]))
    return runs[k][0] if np.isfinite(runs[k][1]) else None


def _zone_descent_feasible(x, state, n, arr, args) -> None:
    """The descent at temperature zero with very large weights: improving relocations that keep
    every row met."""
    big = np.full(arr.need.size, 1e12)
    _zone_descent(x, state, n, arr.lin, *args[:9], big, *args[10:])
