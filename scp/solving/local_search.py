"""Compiled local search on the exact objective: simulated annealing over single-unit flips that
keeps every target, coverage floor and lock satisfied.

Mathematical formulation
------------------------
For a minimum-set problem with targets, coverage and locks, and penalties with linear part ``e``
and pair weights ``W`` (``S = W + W^T``, zero diagonal), the objective is

``f(x) = sum_i (c_i + e_i) x_i - 1/2 x' S x``

and flipping unit ``i`` changes it by ``delta_i = (1 - 2 x_i) (c_i + e_i - sum_j S_ij x_j)``. The
neighbour sums ``n_i = sum_j S_ij x_j`` are kept up to date in ``O(deg i)`` per flip, and the held
amounts ``h = R x`` (features, and coverage groups as rows of areas) in ``O(features of i)``. A
removal is allowed only when every row of ``R`` that the unit contributes to keeps ``h_k >= t_k``;
an addition is always feasible; locked units never move. So every state visited is feasible, and
the best one is returned.

The schedule follows Marxan's (Ball et al. 2009): a geometric cooling from ``T_0`` (the mean positive
flip delta of the start, sampled) to ``T_0 / 1e4`` over a fixed number of moves (proportional to
the number of free units, so the same seed gives the same answer), followed by a descent at
temperature zero. Independent chains with their own seeds run in threads (the compiled loop
releases the GIL); a deadline cuts every chain at a chunk boundary.

References
----------
Kirkpatrick, Gelatt & Vecchi (1983) Science 220:671-680; Ball, Possingham & Watts (2009) Marxan
and relatives, in Spatial Conservation Prioritisation, OUP, 185-195.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..problem.constraints import Coverage, status_masks
from .heuristic import pair_terms, supported

try:  # numba compiles the inner loop; without it the same code runs (slowly) in Python
    from numba import njit
except ImportError:  # pragma: no cover - numba is a core dependency
    def njit(*args, **kwargs):
        return (lambda f: f) if not args or not callable(args[0]) else args[0]

CHUNK = 200_000
"""Moves between two looks at the deadline."""


@njit(cache=True, nogil=True)
def _flip(x, i, sign, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held):  # pragma: no cover - compiled
    x[i] = 1.0 - x[i]
    for p in range(s_ptr[i], s_ptr[i + 1]):
        nbr[s_idx[p]] += sign * s_val[p]
    for p in range(r_ptr[i], r_ptr[i + 1]):
        held[r_idx[p]] += sign * r_val[p]


@njit(cache=True, nogil=True)
def _swap_keeps_rows(i, k, r_ptr, r_idx, r_val, held, need, scratch):  # pragma: no cover - compiled
    """Whether dropping ``i`` and adding ``k`` keeps every row of ``i`` at or above its need."""
    for p in range(r_ptr[k], r_ptr[k + 1]):
        scratch[r_idx[p]] += r_val[p]
    ok = True
    for p in range(r_ptr[i], r_ptr[i + 1]):
        if held[r_idx[p]] - r_val[p] + scratch[r_idx[p]] < need[r_idx[p]]:
            ok = False
            break
    for p in range(r_ptr[k], r_ptr[k + 1]):
        scratch[r_idx[p]] = 0.0
    return ok


@njit(cache=True, nogil=True)
def _anneal_chunk(x, lin, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held, need, free, movable, scratch,
                  state, moves, alpha, seed_offset):  # pragma: no cover - compiled
    """``moves`` moves of the chain whose position is in ``state`` = [step, objective, temperature];
    half flips of one free unit, half swaps of a selected unit with an unselected neighbour
    (``delta = -(lin_i - n_i) + (lin_k - n_k + S_ik)``). Updates ``x``, ``nbr``, ``held``, ``state``."""
    np.random.seed(seed_offset)
    n_free = free.size
    obj = state[1]
    temp = state[2]
    for _ in range(moves):
        temp *= alpha
        i = free[np.random.randint(n_free)]
        u = np.random.random()
        if x[i] == 1.0 and u < 0.5:
            if u < 0.25 and s_ptr[i + 1] > s_ptr[i]:  # swap with a neighbour
                q = s_ptr[i] + np.random.randint(s_ptr[i + 1] - s_ptr[i])
                k = s_idx[q]
                sik = s_val[q]
            else:  # swap with any free unit (moves a share of a coverage floor or target elsewhere)
                k = free[np.random.randint(n_free)]
                sik = 0.0
                for q in range(s_ptr[i], s_ptr[i + 1]):
                    if s_idx[q] == k:
                        sik = s_val[q]
            if x[k] == 1.0 or not movable[k]:
                continue
            delta = -(lin[i] - nbr[i]) + (lin[k] - nbr[k] + sik)
            if delta > 0.0 and (temp <= 0.0 or np.random.random() >= np.exp(-delta / temp)):
                continue
            if not _swap_keeps_rows(i, k, r_ptr, r_idx, r_val, held, need, scratch):
                continue
            _flip(x, i, -1.0, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held)
            _flip(x, k, 1.0, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held)
            obj += delta
            continue
        sign = 1.0 - 2.0 * x[i]
        delta = sign * (lin[i] - nbr[i])
        if delta > 0.0 and (temp <= 0.0 or np.random.random() >= np.exp(-delta / temp)):
            continue
        if x[i] == 1.0:  # a removal must keep every row it contributes to satisfied
            ok = True
            for p in range(r_ptr[i], r_ptr[i + 1]):
                if held[r_idx[p]] - r_val[p] < need[r_idx[p]]:
                    ok = False
                    break
            if not ok:
                continue
        _flip(x, i, sign, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held)
        obj += delta
    state[0] += moves
    state[1] = obj
    state[2] = temp
    return moves


@njit(cache=True, nogil=True)
def _descent(x, lin, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held, need, free, movable,
             scratch):  # pragma: no cover - compiled
    """Improving flips and swaps (a selected unit for an unselected neighbour) until none is left;
    returns the total change of the objective."""
    total = 0.0
    improved = True
    while improved:
        improved = False
        for q in range(free.size):
            i = free[q]
            sign = 1.0 - 2.0 * x[i]
            delta = sign * (lin[i] - nbr[i])
            if delta < -1e-12:
                ok = True
                if x[i] == 1.0:
                    for p in range(r_ptr[i], r_ptr[i + 1]):
                        if held[r_idx[p]] - r_val[p] < need[r_idx[p]]:
                            ok = False
                            break
                if ok:
                    _flip(x, i, sign, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held)
                    total += delta
                    improved = True
                    continue
            if x[i] != 1.0:
                continue
            for qq in range(s_ptr[i], s_ptr[i + 1]):
                k = s_idx[qq]
                if x[k] == 1.0 or not movable[k]:
                    continue
                d = -(lin[i] - nbr[i]) + (lin[k] - nbr[k] + s_val[qq])
                if d >= -1e-12:
                    continue
                if _swap_keeps_rows(i, k, r_ptr, r_idx, r_val, held, need, scratch):
                    _flip(x, i, -1.0, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held)
                    _flip(x, k, 1.0, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held)
                    total += d
                    improved = True
                    break
    return total


@dataclass
class Arrays:
    """The problem as flat arrays for the compiled loop (see module docstring)."""

    lin: np.ndarray
    S: sp.csr_matrix
    R: sp.csr_matrix      # units x rows (features with a target, then coverage groups)
    need: np.ndarray      # per row, slightly lowered for rounding
    free: np.ndarray      # indices of units that may change
    fixed_in: np.ndarray  # locked-in mask


def problem_arrays(problem) -> Arrays | None:
    """Flat arrays of a minimum-set problem with targets, coverage and locks (None otherwise)."""
    if not supported(problem):
        return None
    data = problem.data
    n = data.n_pu
    e, S = pair_terms(problem)
    t = problem.resolved_targets()
    has = np.flatnonzero(np.isfinite(t) & (t > 0))
    rows = [data.rij[has].tocsr()]
    need = [t[has]]
    for c in problem.constraints:
        if isinstance(c, Coverage):
            for _, mask in c.groups(data):
                a = np.where(mask, data.area, 0.0)
                rows.append(sp.csr_matrix(a.reshape(1, -1)))
                need.append(np.array([c.fraction * a.sum()]))
    R = sp.vstack(rows, format="csr").T.tocsr() if rows else sp.csr_matrix((n, 0))
    need_v = np.concatenate(need) if need else np.zeros(0)
    need_v = need_v - 1e-9 * np.maximum(1.0, np.abs(need_v))
    locked_in, locked_out = status_masks(data, problem.constraints)
    free = np.flatnonzero(~locked_in & ~locked_out).astype(np.int64)
    return Arrays(np.asarray(data.cost + e, dtype=np.float64), S.tocsr(), R, need_v, free, locked_in)


@dataclass
class LocalSearchResult:
    selection: np.ndarray
    objective: float      # from the compiled bookkeeping (the caller re-evaluates)
    start_objective: float
    moves: int
    seconds: float
    chains: int


def _chain(arr: Arrays, x0: np.ndarray, seed: int, moves_total: int, deadline_at: float | None,
           start_temperature: float):
    x = x0.astype(np.float64).copy()
    S, R = arr.S, arr.R
    nbr = np.asarray(S @ x).ravel()
    held = np.asarray(R.T @ x).ravel() if R.shape[1] else np.zeros(0)
    obj = float(arr.lin @ x - 0.5 * x @ nbr)
    rng = np.random.default_rng(seed)
    # initial temperature: mean positive delta of sampled flips (Marxan's adaptive start)
    sample = arr.free[rng.integers(0, arr.free.size, min(arr.free.size, 2000))] if arr.free.size else arr.free
    deltas = (1 - 2 * x[sample]) * (arr.lin[sample] - nbr[sample])
    pos = deltas[deltas > 0]
    t0 = start_temperature * float(pos.mean()) if pos.size else 0.0
    alpha = (1e-3) ** (1.0 / max(moves_total, 1))
    state = np.array([0.0, obj, t0])
    movable = np.zeros(x.size, dtype=np.bool_)
    movable[arr.free] = True
    scratch = np.zeros(R.shape[1])
    best_x, best_obj = x.copy(), obj
    done = 0
    chunk_id = 0
    while done < moves_total and arr.free.size:
        if deadline_at is not None and time.perf_counter() >= deadline_at:
            break
        m = min(CHUNK, moves_total - done)
        _anneal_chunk(x, arr.lin, S.indptr, S.indices, S.data, nbr, R.indptr, R.indices, R.data, held, arr.need,
                      arr.free, movable, scratch, state, m, alpha, (seed * 1_000_003 + chunk_id) % (2**31 - 1))
        done += m
        chunk_id += 1
        if state[1] < best_obj - 1e-9:
            best_x, best_obj = x.copy(), float(state[1])
    # descend from the best state
    x = best_x
    nbr = np.asarray(S @ x).ravel()
    held = np.asarray(R.T @ x).ravel() if R.shape[1] else np.zeros(0)
    best_obj += _descent(x, arr.lin, S.indptr, S.indices, S.data, nbr, R.indptr, R.indices, R.data, held,
                         arr.need, arr.free, movable, scratch)
    return x, best_obj, done


def local_search(problem, start: np.ndarray, *, seed: int = 0, sweeps: int = 300, chains: int | None = None,
                 deadline_at: float | None = None, start_temperature: float = 0.05) -> LocalSearchResult | None:
    """Anneal from the feasible selection ``start`` (see module docstring).

    Chain 0 is a pure descent (flips and swaps from the start); the others anneal ``sweeps`` x
    (number of free units) moves (at least 10^6, at most 5 x 10^7) from ``start_temperature`` x the
    mean positive flip delta, then descend; seeds ``seed + k``. ``chains`` defaults to one per CPU
    (at least 2, at most 4); ``deadline_at`` (a :func:`time.perf_counter` value) stops every chain
    early. The best chain wins (the first on ties). Returns None for problems it does not handle
    (other objectives or constraints).
    """
    arr = problem_arrays(problem)
    if arr is None:
        return None
    t0 = time.perf_counter()
    x0 = np.asarray(start, dtype=bool)
    if (x0[arr.fixed_in] == 0).any():
        raise ValueError("the start selection leaves a locked-in unit out")
    chains = chains or max(2, min(4, os.cpu_count() or 1))
    moves = int(min(max(sweeps * arr.free.size, 1_000_000), 50_000_000))
    start_obj = float(arr.lin @ x0 - 0.5 * x0 @ (arr.S @ x0.astype(np.float64)))
    with ThreadPoolExecutor(max_workers=chains) as pool:
        runs = list(pool.map(lambda k: _chain(arr, x0, seed + k, moves if k else 0, deadline_at,
                                                start_temperature), range(chains)))
    k = int(np.argmin([r[1] for r in runs]))  # lowest objective, first chain on ties
    x, obj, _ = runs[k]
    return LocalSearchResult(x > 0.5, obj, start_obj, sum(r[2] for r in runs), time.perf_counter() - t0, chains)
