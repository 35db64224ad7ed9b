"""Simulated annealing with penalised shortfalls: the primal heuristic for boundary-heavy problems.

Mathematical formulation
------------------------
For a minimum-set problem with objective ``f(x) = sum_i l_i x_i - 1/2 x' S x`` (linear part ``l``:
cost plus the penalties' linear terms; ``S = W + W^T`` the symmetric pair weights; see
:mod:`scp.solving.local_search`) and rows ``k`` (feature targets and coverage floors) that ask
``h_k(x) = sum_i R_ik x_i >= t_k``, the annealer minimises

``g(x) = f(x) + sum_k w_k max(0, t_k - h_k(x))``

over single-unit flips of the free units, so that, unlike the feasibility-keeping local search, it
may cross infeasible ground on the way between good plans (Marxan's species penalty factor; Ball,
Possingham & Watts 2009). The weight of row ``k`` is ``w_k = m * G_k / t_k`` with ``G_k`` the cost
of meeting the row alone by taking units in increasing order of ``l_i / R_ik`` (Marxan's greedy
feature penalty) and ``m`` a multiplier (default 1: a unit of shortfall costs what meeting it greedily
costs on average; measured better than 2 or 10 on the benchmark projects).
Flipping ``i`` changes ``g`` by ``(1 - 2 x_i)(l_i - n_i)`` plus the change of the shortfall terms of
the rows of ``i``; the neighbour sums ``n = S x`` and held amounts ``h`` are updated in
``O(deg i + rows of i)``.

Each chain starts from the given selection, anneals over a geometric schedule of ``n_temps``
temperatures from ``T_0`` (``start_temperature`` x the mean positive delta of sampled flips) to
``T_0 / 10^4`` with ``sweeps`` x (free units) moves, then descends on ``g`` at temperature zero,
repairs any shortfall greedily (the unit with the largest shortfall reduction per unit of
objective increase, until every row is met) and finishes with the feasibility-keeping descent of
:mod:`scp.solving.local_search` (flips and swaps). The returned selection therefore meets every
target, coverage floor and lock; the caller still verifies it with :func:`scp.evaluate`.

Chains with seeds ``seed, seed + 1, ...`` run on every core (the compiled loops release the GIL);
the same seed gives the same answer unless the deadline cuts a chain.

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

from .local_search import Arrays, _descent, _flip, njit, problem_arrays

NO_GRAPH = np.zeros(0, dtype=np.int64)
"""The empty graph: :func:`_repair` may then add any unit."""
CHUNK = 250_000
"""Moves between two looks at the deadline."""
MAX_MOVES = 50_000_000
"""Most moves of one chain."""


@njit(cache=True, nogil=True)
def _shortfall_change(i, sign, r_ptr, r_idx, r_val, held, need, weight):  # pragma: no cover - compiled
    """Change of ``sum_k w_k max(0, t_k - h_k)`` when unit ``i`` is added (sign 1) or removed (-1)."""
    d = 0.0
    for p in range(r_ptr[i], r_ptr[i + 1]):
        k = r_idx[p]
        old = need[k] - held[k]
        new = old - sign * r_val[p]
        if old > 0.0:
            d -= weight[k] * old
        if new > 0.0:
            d += weight[k] * new
    return d


@njit(cache=True, nogil=True)
def accepts(d, temp):  # pragma: no cover - compiled
    """Metropolis: an improving move always, a worsening one with probability ``exp(-d / temp)``."""
    return d <= 0.0 or (temp > 0.0 and np.random.random() < np.exp(-d / temp))


@njit(cache=True, nogil=True)
def _anneal_moves(x, lin, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held, need, weight, free, state,
                  moves, per_temp, cool, seed):  # pragma: no cover - compiled
    """``moves`` Metropolis flips; ``state`` = [step, g, temperature] is carried between calls and the
    temperature is multiplied by ``cool`` every ``per_temp`` moves."""
    np.random.seed(seed)
    step = int(state[0])
    g = state[1]
    temp = state[2]
    n_free = free.size
    for _ in range(moves):
        i = free[np.random.randint(n_free)]
        sign = 1.0 - 2.0 * x[i]
        d = sign * (lin[i] - nbr[i]) + _shortfall_change(i, sign, r_ptr, r_idx, r_val, held, need, weight)
        if accepts(d, temp):
            _flip(x, i, sign, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held)
            g += d
        step += 1
        if step % per_temp == 0:
            temp *= cool
    state[0] = step
    state[1] = g
    state[2] = temp


@njit(cache=True, nogil=True)
def _penalised_descent(x, lin, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held, need, weight,
                       free):  # pragma: no cover - compiled
    """Improving flips on ``g`` in sweeps over the free units until none is left; returns the change."""
    total = 0.0
    improved = True
    while improved:
        improved = False
        for q in range(free.size):
            i = free[q]
            sign = 1.0 - 2.0 * x[i]
            d = sign * (lin[i] - nbr[i]) + _shortfall_change(i, sign, r_ptr, r_idx, r_val, held, need, weight)
            if d < -1e-9:
                _flip(x, i, sign, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held)
                total += d
                improved = True
    return total


@njit(cache=True, nogil=True)
def has_selected_neighbour(i, x, a_ptr, a_idx):  # pragma: no cover - compiled
    """Whether unit ``i`` has a selected neighbour in the CSR graph ``(a_ptr, a_idx)``."""
    for p in range(a_ptr[i], a_ptr[i + 1]):
        if x[a_idx[p]] > 0.5:
            return True
    return False


@njit(cache=True, nogil=True)
def _repair(x, lin, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held, need, weight,
            free, a_ptr, a_idx):  # pragma: no cover - compiled
    """Add units until every row is met: each time the unselected free unit with the largest
    weighted shortfall reduction per unit of objective increase. With a graph ``(a_ptr, a_idx)``
    (non-empty ``a_ptr``) only units next to the selection are candidates, so a connected
    selection stays connected. Returns False when no candidate helps."""
    frontier = a_ptr.size > 0
    while True:
        short = False
        for k in range(need.size):
            if held[k] < need[k]:
                short = True
                break
        if not short:
            return True
        best, best_score = -1, -1.0
        for q in range(free.size):
            i = free[q]
            if x[i] == 1.0 or (frontier and not has_selected_neighbour(i, x, a_ptr, a_idx)):
                continue
            gain = -_shortfall_change(i, 1.0, r_ptr, r_idx, r_val, held, need, weight)
            if gain <= 0.0:
                continue
            score = gain / max(lin[i] - nbr[i], 1e-12)
            if score > best_score:
                best, best_score = i, score
        if best < 0:
            return False
        _flip(x, best, 1.0, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held)


def shortfall_weights(arr: Arrays, multiplier: float = 1.0) -> np.ndarray:
    """``w_k = multiplier * G_k / t_k`` (module docstring): ``G_k`` is the cost of meeting row ``k``
    alone with units taken in increasing order of ``l_i / R_ik`` (locked-in units count for free)."""
    R = arr.R.tocoo()
    n_rows = arr.R.shape[1]
    if n_rows == 0:
        return np.zeros(0)
    locked = arr.fixed_in[R.row]
    price = np.where(locked, 0.0, np.maximum(arr.lin[R.row], 0.0))
    keep = R.data > 0
    row, amount, price = R.col[keep], R.data[keep], price[keep]
    order = np.lexsort((price / amount, row))
    row, amount, price = row[order], amount[order], price[order]
    starts = np.searchsorted(row, np.arange(n_rows))
    cum = np.cumsum(amount)
    before = np.where(starts > 0, cum[np.maximum(starts - 1, 0)], 0.0)
    held_before = cum - before[row] - amount  # amount held by the row's cheaper units
    need = np.maximum(arr.need, 0.0)
    part = np.clip((need[row] - held_before) / amount, 0.0, 1.0)  # share of this unit still needed
    G = np.bincount(row, weights=price * part, minlength=n_rows)
    mean_price = max(float(np.mean(np.maximum(arr.lin[arr.free], 0.0))) if arr.free.size else 1.0, 1e-9)
    G = np.maximum(G, mean_price)  # a row met by locked units alone still resists losing them
    return multiplier * G / np.maximum(need, 1e-12)


@dataclass
class AnnealResult:
    selection: np.ndarray  # feasible for targets, coverage and locks (the caller verifies)
    objective: float       # f of the selection, from the compiled bookkeeping
    moves: int
    seconds: float
    chains: int


def _run_chain(arr: Arrays, weight: np.ndarray, x0: np.ndarray, seed: int, moves_total: int, n_temps: int,
               start_temperature: float, deadline_at: float | None):
    x = x0.astype(np.float64).copy()
    S, R = arr.S, arr.R
    nbr = np.asarray(S @ x).ravel()
    held = np.asarray(R.T @ x).ravel() if R.shape[1] else np.zeros(0)
    lin, need = arr.lin, arr.need
    args_s = (S.indptr, S.indices, S.data)
    args_r = (R.indptr, R.indices, R.data)
    rng = np.random.default_rng(seed)
    sample = arr.free[rng.integers(0, arr.free.size, min(arr.free.size, 2000))]
    base = (1 - 2 * x[sample]) * (lin[sample] - nbr[sample])
    pos = np.abs(base[base != 0])
    t0 = start_temperature * float(pos.mean()) if pos.size else 0.0
    per_temp = max(1, moves_total // max(n_temps, 1))
    cool = (1e-4) ** (1.0 / max(n_temps, 1))
    short0 = np.maximum(need - held, 0.0)
    state = np.array([0.0, float(lin @ x - 0.5 * x @ nbr + weight @ short0), t0])
    done, chunk = 0, 0
    while done < moves_total:
        if deadline_at is not None and time.perf_counter() >= deadline_at:
            break
        m = min(CHUNK, moves_total - done)
        _anneal_moves(x, lin, *args_s, nbr, *args_r, held, need, weight, arr.free, state, m, per_temp,
                      cool, (seed * 1_000_003 + chunk) % (2**31 - 1))
        done += m
        chunk += 1
    _penalised_descent(x, lin, *args_s, nbr, *args_r, held, need, weight, arr.free)
    if not _repair(x, lin, *args_s, nbr, *args_r, held, need, weight, arr.free, NO_GRAPH, NO_GRAPH):
        return None, np.inf, done
    movable = np.zeros(x.size, dtype=np.bool_)
    movable[arr.free] = True
    _descent(x, lin, *args_s, nbr, *args_r, held, need, arr.free, movable, np.zeros(R.shape[1]))
    return x, float(lin @ x - 0.5 * x @ (S @ x)), done


def anneal(problem, start: np.ndarray | None = None, *, seed: int = 0, sweeps: int = 500, n_temps: int = 1000,
           restarts: int | None = None, chains: int | None = None, multiplier: float = 1.0,
           start_temperature: float = 2.0, deadline_at: float | None = None) -> AnnealResult | None:
    """Penalised-shortfall annealing (module docstring) from ``start`` (default: the locked-in
    units only).

    Parameters
    ----------
    problem: a minimum-set :class:`~scp.problem.Problem` with targets, coverage and locks (others
        give None).
    sweeps: moves per chain, as a multiple of the number of free units (at least 10^5, at most
        5 x 10^7 moves).
    restarts: number of chains in all (default: one per CPU, at least 2); they run ``chains`` at a time
        (default: one per CPU, at most 4) with seeds ``seed + k``; the best feasible one wins (first
        on ties).
    multiplier, start_temperature: ``m`` and ``T_0`` of the module docstring.
    deadline_at: a :func:`time.perf_counter` value; chains not yet started are skipped after it and
        running ones stop annealing and finish their descent and repair.
    """
    arr = problem_arrays(problem)
    if arr is None or arr.free.size == 0:
        return None
    x0 = arr.fixed_in.copy() if start is None else np.asarray(start, dtype=bool)
    if (x0[arr.fixed_in] == 0).any():
        raise ValueError("the start selection leaves a locked-in unit out")
    return _anneal_arrays(arr, shortfall_weights(arr, multiplier), x0, seed, sweeps, n_temps, restarts, chains,
                          start_temperature, deadline_at)


def _anneal_arrays(arr: Arrays, weight: np.ndarray, x0: np.ndarray, seed: int, sweeps: int, n_temps: int,
                   restarts: int | None, chains: int | None, start_temperature: float,
                   deadline_at: float | None) -> AnnealResult | None:
    t0 = time.perf_counter()
    chains = chains or max(1, min(4, os.cpu_count() or 1))
    restarts = restarts or max(2, chains)
    moves = int(min(max(sweeps * arr.free.size, 100_000), MAX_MOVES))

    def one(k: int):
        if k and deadline_at is not None and time.perf_counter() >= deadline_at:
            return None, np.inf, 0
        return _run_chain(arr, weight, x0, seed + k, moves, n_temps, start_temperature, deadline_at)

    with ThreadPoolExecutor(max_workers=chains) as pool:
        runs = list(pool.map(one, range(restarts)))
    objs = [r[1] for r in runs]
    k = int(np.argmin(objs))
    if not np.isfinite(objs[k]):
        return None
    return AnnealResult(runs[k][0] > 0.5, objs[k], sum(r[2] for r in runs), time.perf_counter() - t0, restarts)

CALIBRATION_SWEEPS = 100
"""Sweeps of the first, short round of :func:`anneal_in_rounds`, which measures the move rate."""
DEFAULT_SWEEPS = 2_000
"""Sweeps of the second round without a deadline."""
MAX_SWEEPS = 10_000
"""Most sweeps of the second round under a deadline (measured on the generated 2,000-hexagon project
at ten times the cost in boundary: 100 sweeps 7,112 in 0.02 s, 500 6,542 in 0.08 s, 2,500 6,136 in
0.35 s, 10,000 6,049 in 1.3 s; Marxan 4 6,539 in 0.6 s)."""
_warmed = False


def _warm() -> None:
    """Load (or compile) the compiled loops once per process on a two-unit toy, so that the time of
    the first round measures moves, not loading."""
    global _warmed
    if _warmed:
        return
    S = sp.csr_matrix(np.array([[0.0, 1.0], [1.0, 0.0]]))  # index types as scipy makes them
    R = sp.csr_matrix(np.array([[1.0], [1.0]]))
    ptr, idx, val, r_ptr, r_idx, r_val = S.indptr, S.indices, S.data, R.indptr, R.indices, R.data
    x, nbr, held, lin, need, w = np.zeros(2), np.zeros(2), np.zeros(1), np.ones(2), np.ones(1), np.ones(1)
    free = np.arange(2, dtype=np.int64)
    _anneal_moves(x, lin, ptr, idx, val, nbr, r_ptr, r_idx, r_val, held, need, w, free,
                  np.array([0.0, 1.0, 1.0]), 10, 5, 0.5, 1)
    _penalised_descent(x, lin, ptr, idx, val, nbr, r_ptr, r_idx, r_val, held, need, w, free)
    _repair(x, lin, ptr, idx, val, nbr, r_ptr, r_idx, r_val, held, need, w, free, NO_GRAPH, NO_GRAPH)
    _descent(x, lin, ptr, idx, val, nbr, r_ptr, r_idx, r_val, held, need, free, np.ones(2, dtype=np.bool_),
             np.zeros(1))
    _warmed = True


def anneal_in_rounds(problem, *, seed: int = 0, deadline_at: float | None = None,
                     on_round=None) -> AnnealResult | None:
    """:func:`anneal` twice: a short round (:data:`CALIBRATION_SWEEPS`) that measures the move rate,
    then one sized to end by ``deadline_at`` (at most :data:`MAX_SWEEPS`; :data:`DEFAULT_SWEEPS`
    without a deadline, so that the same seed gives the same answer); the better is kept.
    ``on_round(sweeps, best)`` is called after each round."""
    arr = problem_arrays(problem)
    if arr is None or arr.free.size == 0:
        return None
    _warm()
    weight = shortfall_weights(arr)
    x0 = arr.fixed_in.copy()
    best = _anneal_arrays(arr, weight, x0, seed, CALIBRATION_SWEEPS, 1000, None, None, 2.0, deadline_at)
    if best is None:
        return None
    if on_round is not None:
        on_round(CALIBRATION_SWEEPS, best)
    sweeps = DEFAULT_SWEEPS
    if deadline_at is not None:
        rate = best.moves / max(best.seconds, 1e-6)  # moves per second, all chains together
        per_sweep = best.moves / CALIBRATION_SWEEPS
        sweeps = min(MAX_SWEEPS, int(0.85 * rate * (deadline_at - time.perf_counter()) / max(per_sweep, 1.0)))
    if sweeps < 2 * CALIBRATION_SWEEPS or best.moves >= best.chains * MAX_MOVES:
        return best
    r = _anneal_arrays(arr, weight, x0, seed, sweeps, 1000, None, None, 2.0, deadline_at)
    if r is not None and r.objective < best.objective - 1e-9 * max(1.0, abs(best.objective)):
        best = r
    if on_round is not None:
        on_round(sweeps, best)
    return best
