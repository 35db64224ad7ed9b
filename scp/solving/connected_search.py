"""Simulated annealing that keeps a selection feasible and connected: the primal heuristic of
cut-based contiguity (:mod:`scp.solving.cut_loop`).

Mathematical formulation
------------------------
The objective and its flip deltas are those of :mod:`scp.solving.local_search`:
``f(x) = sum_i l_i x_i - 1/2 x' S x`` and ``delta_i = (1 - 2 x_i)(l_i - sum_j S_ij x_j)``; a
removal is allowed only when every target and coverage row of the unit stays met. Connectivity
is kept by two local rules on the adjacency graph ``G``:

* a unit may be added only when it has a selected neighbour (it joins an existing part);
* a unit may be swapped with an unselected neighbour (added first, so the rules below see it);
* a unit ``i`` may be removed only when its selected neighbours stay joined to one another
  through selected units within two steps of ``i`` other than ``i`` (then every path through
  ``i`` has a detour, so no part splits), or when it has at most one selected neighbour.

Both rules are sufficient, not necessary: no part ever splits and no new part appears, so a
connected start stays connected (and, for ``mode="locked_in"``, every part stays joined to a
locked-in unit). The schedule is geometric from ``T_0`` (the mean positive delta of sampled
flips) to ``T_0 / 1e4``, followed by a descent at temperature zero; the best state met is kept.

References
----------
Kirkpatrick, Gelatt & Vecchi (1983) Science 220:671-680; the "simple point" test of digital
topology (Rosenfeld 1970, J. ACM 17:146-160) in its graph form.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .annealing import NO_GRAPH, _repair, _shortfall_change, accepts, has_selected_neighbour, shortfall_weights
from .local_search import Arrays, _flip, njit

CHUNK = 200_000
"""Moves between two looks at the deadline."""
START_TEMPERATURE = 0.05
"""``T_0`` as a share of the mean flip delta: low, since the annealer starts from a good connected
plan and its moves are local (measured on the Koytendag case: 1.0 leaves a far worse state)."""


@njit(cache=True, nogil=True)
def _removable(i, x, a_ptr, a_idx, stamp, mark, queue):  # pragma: no cover - compiled
    """Whether removing selected unit ``i`` keeps its selected neighbours joined within two steps."""
    first = -1
    count = 0
    for p in range(a_ptr[i], a_ptr[i + 1]):
        if x[a_idx[p]] > 0.5:
            count += 1
            if first < 0:
                first = a_idx[p]
    if count <= 1:
        return True
    # mark the selected units within two steps of i (i excluded) with the stamp + 1
    for p in range(a_ptr[i], a_ptr[i + 1]):
        j = a_idx[p]
        if x[j] > 0.5:
            mark[j] = stamp + 1
        for q in range(a_ptr[j], a_ptr[j + 1]):
            k = a_idx[q]
            if k != i and x[k] > 0.5:
                mark[k] = stamp + 1
    # breadth-first search from one neighbour over the marked units (visited: stamp + 2)
    head, tail = 0, 1
    queue[0] = first
    mark[first] = stamp + 2
    while head < tail:
        u = queue[head]
        head += 1
        for q in range(a_ptr[u], a_ptr[u + 1]):
            v = a_idx[q]
            if mark[v] == stamp + 1:
                mark[v] = stamp + 2
                queue[tail] = v
                tail += 1
    ok = True
    for p in range(a_ptr[i], a_ptr[i + 1]):
        j = a_idx[p]
        if x[j] > 0.5 and mark[j] != stamp + 2:
            ok = False
            break
    return ok


@njit(cache=True, nogil=True)
def _pair_weight(i, k, s_ptr, s_idx, s_val):  # pragma: no cover - compiled
    """``S_ik``."""
    for p in range(s_ptr[i], s_ptr[i + 1]):
        if s_idx[p] == k:
            return s_val[p]
    return 0.0


@njit(cache=True, nogil=True)
def _flip_counted(x, i, sign, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held, need, state):  # pragma: no cover
    """:func:`_flip` that keeps ``state[6]``, the number of rows below their need, up to date."""
    for p in range(r_ptr[i], r_ptr[i + 1]):
        if held[r_idx[p]] < need[r_idx[p]]:
            state[6] -= 1.0
    _flip(x, i, sign, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held)
    for p in range(r_ptr[i], r_ptr[i + 1]):
        if held[r_idx[p]] < need[r_idx[p]]:
            state[6] += 1.0


@njit(cache=True, nogil=True)
def _connected_moves(x, lin, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held, need, weight, a_ptr, a_idx,
                     free, movable, state, n_moves, per_temp, cool, seed, mark, queue,
                     best_x):  # pragma: no cover - compiled
    """``n_moves`` annealing moves on ``g`` (module docstring); ``state`` = [moves at this
    temperature, g, temperature, best f of a feasible state, stamp, selected count, rows short,
    f]. Half the moves from a selected unit ``i`` are swaps with a random unselected neighbour
    ``k`` (add ``k``, then drop ``i``: the network's edge shifts by one unit). ``best_x`` keeps
    the best state with no row short."""
    np.random.seed(seed)
    for _ in range(n_moves):
        state[0] += 1.0
        if state[0] >= per_temp:
            state[0] = 0.0
            state[2] *= cool
        i = free[np.random.randint(free.size)]
        if x[i] < 0.5:
            if not has_selected_neighbour(i, x, a_ptr, a_idx):
                continue
            df = lin[i] - nbr[i]
            d = df + _shortfall_change(i, 1.0, r_ptr, r_idx, r_val, held, need, weight)
            if not accepts(d, state[2]):
                continue
            _flip_counted(x, i, 1.0, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held, need, state)
            state[5] += 1.0
        else:
            k = -1
            df = 0.0
            d = 0.0
            if np.random.random() < 0.5:
                deg = a_ptr[i + 1] - a_ptr[i]
                if deg == 0:
                    continue
                k = a_idx[a_ptr[i] + np.random.randint(deg)]
                if x[k] > 0.5 or not movable[k]:
                    continue
                df = lin[k] - nbr[k]
                d = df + _shortfall_change(k, 1.0, r_ptr, r_idx, r_val, held, need, weight)
                _flip_counted(x, k, 1.0, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held, need, state)
            elif state[5] <= 1.0:
                continue
            df -= lin[i] - nbr[i]
            d += -(lin[i] - nbr[i]) + _shortfall_change(i, -1.0, r_ptr, r_idx, r_val, held, need, weight)
            state[4] += 2.0
            if not accepts(d, state[2]) or not _removable(i, x, a_ptr, a_idx, state[4], mark, queue):
                if k >= 0:
                    _flip_counted(x, k, -1.0, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held, need, state)
                continue
            _flip_counted(x, i, -1.0, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held, need, state)
            if k < 0:
                state[5] -= 1.0
        state[1] += d
        state[7] += df
        if state[6] == 0.0 and state[7] < state[3] - 1e-9:
            state[3] = state[7]
            best_x[:] = x


def connected_anneal(arr: Arrays, adj, start: np.ndarray, *, seed: int = 0, sweeps: int = 200,
                     n_temps: int = 200, start_temperature: float = START_TEMPERATURE, multiplier: float = 1.0,
                     rejoin=None, deadline_at: float | None = None) -> tuple[np.ndarray, float]:
    """Anneal on ``g`` from the connected selection ``start`` (module docstring), then descend at
    temperature zero from the best feasible state met. Returns that state and its objective
    ``f``: connected whenever ``start`` is, and meeting every row (``start`` itself when no
    feasible state was met). When the final state of the annealing is short of a row that no unit
    next to it helps, it is repaired from anywhere (greedy, as :mod:`scp.solving.annealing`) and
    handed to ``rejoin`` (a function that makes a selection meet its contiguity constraint again,
    e.g. :func:`scp.solving.connect.connect`, or returns None); that state is then as connected as
    ``rejoin`` makes it (in mode ``"locked_in"``: each part joined to a locked-in unit, possibly
    several parts). The caller verifies the result with :func:`scp.evaluate`."""
    x = np.asarray(start, dtype=np.float64).copy()
    S, R = arr.S, arr.R
    lin, need = arr.lin, arr.need
    weight = shortfall_weights(arr, multiplier)
    a = adj.tocsr().copy()
    a.setdiag(0)
    a.eliminate_zeros()
    a_ptr, a_idx = a.indptr.astype(np.int64), a.indices.astype(np.int64)
    free = arr.free.astype(np.int64)
    movable = np.zeros(x.size, dtype=np.bool_)
    movable[free] = True
    mark = np.zeros(x.size, dtype=np.float64)
    queue = np.zeros(x.size, dtype=np.int64)
    best_x = x.copy()
    nbr = np.asarray(S @ x).ravel()
    if free.size == 0:
        return x, float(lin @ x - 0.5 * x @ nbr)
    rng = np.random.default_rng(seed)
    sample = free[rng.integers(0, free.size, min(free.size, 2000))]
    delta = np.abs((1 - 2 * x[sample]) * (lin[sample] - nbr[sample]))
    delta = delta[delta > 0]
    t0 = start_temperature * float(delta.mean()) if delta.size else 0.0
    total = sweeps * free.size
    per_temp = max(1, total // n_temps)
    cool = (1e-4) ** (1.0 / n_temps)
    chunk = 0
    best_f = np.inf
    args_s, args_r = (S.indptr, S.indices, S.data), (R.indptr, R.indices, R.data)
    # annealing on g; then repair the final state along the frontier; then descend at temperature
    # zero with prohibitive shortfall weights (feasibility kept) from the best feasible state
    for phase_moves, temperature, w in ((total, t0, weight), (2 * free.size, 0.0, weight * 1e6)):
        if temperature == 0.0:
            nbr = np.asarray(S @ x).ravel()
            held = np.asarray(R.T @ x).ravel() if R.shape[1] else np.zeros(0)
            repaired = _repair(x, lin, *args_s, nbr, *args_r, held, need, weight, free, a_ptr, a_idx)
            if not repaired and rejoin is not None and _repair(x, lin, *args_s, nbr, *args_r, held, need, weight,
                                                                 free, NO_GRAPH, NO_GRAPH):
                joined = rejoin(x > 0.5)
                repaired = joined is not None
                if repaired:
                    x[:] = joined
                    repaired = bool((np.asarray(R.T @ x).ravel() >= need).all())
            if repaired:
                f = float(lin @ x - 0.5 * x @ (S @ x))
                if f < best_f:
                    best_f = f
                    best_x[:] = x
            x[:] = best_x
        nbr = np.asarray(S @ x).ravel()
        held = np.asarray(R.T @ x).ravel() if R.shape[1] else np.zeros(0)
        f = float(lin @ x - 0.5 * x @ nbr)
        short = np.maximum(need - held, 0.0)
        if not (short > 0).any() and f < best_f:
            best_f = f
            best_x[:] = x
        state = np.array([0.0, f + float(w @ short), temperature, best_f, 0.0, float((x > 0.5).sum()),
                          float((short > 0).sum()), f])
        done = 0
        while done < phase_moves:
            if deadline_at is not None and time.perf_counter() >= deadline_at:
                break
            m = min(CHUNK, phase_moves - done)
            _connected_moves(x, lin, *args_s, nbr, *args_r, held, need, w, a_ptr, a_idx, free, movable, state, m,
                             per_temp, cool, (seed * 1_000_003 + chunk) % (2**31 - 1), mark, queue, best_x)
            done += m
            chunk += 1
        best_f = min(best_f, state[3])
    return best_x, float(lin @ best_x - 0.5 * best_x @ (S @ best_x))


COLD_SECONDS = 5.0
"""Loading (or, on a fresh install, compiling: ~4 s) the compiled loops takes time the deadline
cannot interrupt: with less time than this for the search, it runs only once they are loaded."""


def loaded() -> bool:
    """Whether this process has loaded the compiled loops already."""
    return bool(_connected_moves.signatures)


FIRST_SWEEPS = 2_000
"""Sweeps of the first round of :func:`improve_connected`; each later round has four times more."""
STALE_ROUNDS = 3
""":func:`improve_connected` stops after this many rounds in a row without an improvement."""


def improve_connected(arr: Arrays, adj, start: np.ndarray, offer, stop_at: float, seed: int = 0,
                      threads: int | None = None, rejoin=None) -> int:
    """Rounds of :func:`connected_anneal` from the best selection so far until ``stop_at`` (a
    :func:`time.perf_counter` value): each round runs one chain per thread (seeds ``seed``,
    ``seed + 1``, ...) with four times the sweeps of the last, from the best selection found;
    every result goes to ``offer(selection) -> bool`` (True when it is a verified improvement);
    it stops early after :data:`STALE_ROUNDS` rounds in a row without one;
    ``rejoin`` as in :func:`connected_anneal`.
    Returns the number of rounds."""
    workers = max(1, min(threads or os.cpu_count() or 1, os.cpu_count() or 1))
    best = np.asarray(start, dtype=np.float64)
    sweeps, rounds, stale = FIRST_SWEEPS, 0, 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while time.perf_counter() < stop_at:
            runs = [pool.submit(connected_anneal, arr, adj, best, seed=seed + rounds * workers + k, sweeps=sweeps,
                                rejoin=rejoin, deadline_at=stop_at) for k in range(workers)]
            results = sorted((f.result() for f in runs), key=lambda r: r[1])
            improved = False
            for x, _ in results:
                if offer(x > 0.5):
                    best, improved = x, True
            rounds += 1
            sweeps *= 4
            stale = 0 if improved else stale + 1
            if stale >= STALE_ROUNDS:
                break
    return rounds
