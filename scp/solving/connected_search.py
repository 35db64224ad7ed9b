"""Simulated annealing that keeps a selection feasible and connected: the primal heuristic of
cut-based contiguity (:mod:`scp.solving.cut_loop`).

Mathematical formulation
------------------------
The objective and its flip deltas are those of :mod:`scp.solving.local_search`:
``f(x) = sum_i l_i x_i - 1/2 x' S x`` and ``delta_i = (1 - 2 x_i)(l_i - sum_j S_ij x_j)``; a
removal is allowed only when every target and coverage row of the unit stays met. Connectivity
is kept by two local rules on the adjacency graph ``G``:

* a unit may be added only when it has a selected neighbour (it joins an existing part);
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

from .local_search import Arrays, _flip, njit

CHUNK = 200_000
"""Moves between two looks at the deadline."""


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
def _connected_moves(x, lin, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held, need, a_ptr, a_idx,
                     free, state, n_moves, per_temp, cool, seed, mark, queue, best_x):  # pragma: no cover
    """``n_moves`` annealing moves (module docstring); ``state`` = [moves at this temperature,
    objective, temperature, best objective, stamp, selected count]."""
    np.random.seed(seed)
    for _ in range(n_moves):
        i = free[np.random.randint(free.size)]
        if x[i] > 0.5:
            if state[5] <= 1.0:
                continue
            ok = True
            for p in range(r_ptr[i], r_ptr[i + 1]):
                if held[r_idx[p]] - r_val[p] < need[r_idx[p]]:
                    ok = False
                    break
            if not ok:
                continue
            d = -(lin[i] - nbr[i])
        else:
            joined = False
            for p in range(a_ptr[i], a_ptr[i + 1]):
                if x[a_idx[p]] > 0.5:
                    joined = True
                    break
            if not joined:
                continue
            d = lin[i] - nbr[i]
        if d > 0.0 and (state[2] <= 0.0 or np.random.random() >= np.exp(-d / state[2])):
            pass
        elif x[i] > 0.5:
            state[4] += 2.0
            if _removable(i, x, a_ptr, a_idx, state[4], mark, queue):
                _flip(x, i, -1.0, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held)
                state[1] += d
                state[5] -= 1.0
        else:
            _flip(x, i, 1.0, s_ptr, s_idx, s_val, nbr, r_ptr, r_idx, r_val, held)
            state[1] += d
            state[5] += 1.0
        if state[1] < state[3] - 1e-9:
            state[3] = state[1]
            best_x[:] = x
        state[0] += 1.0
        if state[0] >= per_temp:
            state[0] = 0.0
            state[2] *= cool


def connected_anneal(arr: Arrays, adj, start: np.ndarray, *, seed: int = 0, sweeps: int = 200,
                     n_temps: int = 200, deadline_at: float | None = None) -> tuple[np.ndarray, float]:
    """Anneal from the connected, feasible selection ``start`` (module docstring), then descend at
    temperature zero. Returns the best selection met and its objective ``f``; it is connected and
    meets every row whenever ``start`` did. The caller verifies it with :func:`scp.evaluate`."""
    x = np.asarray(start, dtype=np.float64).copy()
    S, R = arr.S, arr.R
    nbr = np.asarray(S @ x).ravel()
    held = np.asarray(R.T @ x).ravel() if R.shape[1] else np.zeros(0)
    lin, need = arr.lin, arr.need
    a = adj.tocsr().copy()
    a.setdiag(0)
    a.eliminate_zeros()
    a_ptr, a_idx = a.indptr.astype(np.int64), a.indices.astype(np.int64)
    rng = np.random.default_rng(seed)
    free = arr.free.astype(np.int64)
    if free.size == 0:
        return x, float(lin @ x - 0.5 * x @ nbr)
    sample = free[rng.integers(0, free.size, min(free.size, 2000))]
    delta = np.abs((1 - 2 * x[sample]) * (lin[sample] - nbr[sample]))
    delta = delta[delta > 0]
    t0 = float(delta.mean()) if delta.size else 0.0
    objective = float(lin @ x - 0.5 * x @ nbr)
    state = np.array([0.0, objective, t0, objective, 0.0, float((x > 0.5).sum())])
    mark = np.zeros(x.size, dtype=np.float64)
    queue = np.zeros(x.size, dtype=np.int64)
    best_x = x.copy()
    total = sweeps * free.size
    per_temp = max(1, total // n_temps)
    cool = (1e-4) ** (1.0 / n_temps)
    done, chunk = 0, 0
    for phase_moves, zero in ((total, False), (2 * free.size, True)):
        if zero:
            x[:] = best_x  # descend from the best state met
            nbr = np.asarray(S @ x).ravel()
            held = np.asarray(R.T @ x).ravel() if R.shape[1] else np.zeros(0)
            state[1] = state[3] = float(lin @ x - 0.5 * x @ nbr)
            state[2] = 0.0
            state[5] = float((x > 0.5).sum())
            done = 0
        while done < phase_moves:
            if deadline_at is not None and time.perf_counter() >= deadline_at:
                break
            m = min(CHUNK, phase_moves - done)
            _connected_moves(x, lin, S.indptr, S.indices, S.data, nbr, R.indptr, R.indices, R.data, held, need,
                             a_ptr, a_idx, free, state, m, per_temp, cool, (seed * 1_000_003 + chunk) % (2**31 - 1),
                             mark, queue, best_x)
            done += m
            chunk += 1
    return best_x, float(lin @ best_x - 0.5 * best_x @ (S @ best_x))


FIRST_SWEEPS = 2_000
"""Sweeps of the first round of :func:`improve_connected`; each later round has four times more."""


def improve_connected(arr: Arrays, adj, start: np.ndarray, offer, stop_at: float, seed: int = 0,
                      threads: int | None = None) -> int:
    """Rounds of :func:`connected_anneal` from the best selection so far until ``stop_at`` (a
    :func:`time.perf_counter` value): each round runs one chain per thread (seeds ``seed``,
    ``seed + 1``, ...) with four times the sweeps of the last, from the best selection found;
    every result goes to ``offer(selection) -> bool`` (True when it is a verified improvement).
    Returns the number of rounds."""
    workers = max(1, min(threads or os.cpu_count() or 1, os.cpu_count() or 1))
    best = np.asarray(start, dtype=np.float64)
    sweeps, rounds = FIRST_SWEEPS, 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while time.perf_counter() < stop_at:
            runs = [pool.submit(connected_anneal, arr, adj, best, seed=seed + rounds * workers + k, sweeps=sweeps,
                                deadline_at=stop_at) for k in range(workers)]
            results = sorted((f.result() for f in runs), key=lambda r: r[1])
            for x, _ in results:
                if offer(x > 0.5):
                    best = x
            rounds += 1
            sweeps *= 4
    return rounds
