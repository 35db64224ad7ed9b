"""Window search for connected selections: a small window of adjacent units around the edge of the
best connected selection re-solved exactly, every other unit fixed (a primal heuristic of
:mod:`scp.solving.cut_loop`, a large-neighbourhood search).

Formulation
-----------
Let ``x^C`` be the best connected selection and ``B(c, w)`` the first ``w`` units a
breadth-first search of the adjacency graph meets from a unit ``c`` (a "window": about a disc
of ``w`` units around ``c``). The sub-model is the model with its cuts and the extra bounds

``x_i = x^C_i  for every unit i not in B(c, w)``,

the root and penalty columns left free; ``c`` is drawn at random among the units of ``x^C``
with an unselected neighbour that may change (the plan's edge, where a cheaper layout is likely).
For the contiguity of the whole selection the sub-model also gets the window's flow rows
(:mod:`scp.model.window_flow`: a single-commodity flow on the window with the fixed parts of the
selection contracted), which hold exactly when the selection is connected, so each window is one
solve. It is solved to :data:`SUB_GAP` within :data:`SUB_SECONDS`, warm-started from ``x^C``
(with its flow: feasible for it). Without flow rows (``flow=False``, or other cut-based
constraints such as feature contiguity) its integer solutions are made connected as in the cut
loop: a solution that breaks a constraint gets the cuts it violates
(:func:`scp.solving.cut_loop.violated_cuts`, valid for the whole problem: they stay in the model
for later windows and for the integer rounds), is joined along the cheapest chains and offered,
and the window is solved again, up to :data:`MAX_ROUNDS` times. Every offered selection is
verified by :func:`scp.evaluate` (``offer``); the next window is drawn around the best selection
then known. The sub-model's bounds hold only for the window and are never reported.

The search ends at ``stop_at``, or after :data:`STALE_WINDOWS` windows in a row without an
improvement (fewer on small problems). The window's size adapts: a window solved to its gap within :data:`QUICK_SECONDS` without an
improvement grows by :data:`GROW` (a larger exact move), one that ran out of rounds or of time
shrinks by the same factor, within ``[MIN_UNITS, MAX_UNITS]``.

Measured on the Koytendag case as one network (12,719 units; this project's 2-core machine, 60 s
from the same connected plan at 11,522.1, which the relaxation-induced neighbourhood of the
previous code, 942 units free, had not improved in 165 s): windows solved by the cut loop in a
child process (the guard of long HiGHS solves) 11,517.4 (12 windows); the same in this process
11,512.3 (32 windows); with the flow rows and 20 s per window 11,516.1 (9 windows), with 3 s per
window 11,507.7 (41 windows; 11,500.5 after 120 s). In the scenario's 600 s run (two runs):
11,522.4 after the connected local search, 11,498.3 and 11,491.1 after 216 s of windows (107 and
124 windows, one in three improving), proven within 0.968% and 0.947% by the LP rounds' bound;
with the connected local search cut to 44 s (its share 0.1), 11,532.1 -> 11,504.8 in 200 s of
windows (within 1.03% at the limit), so the annealer keeps its share.

Reference
---------
Shaw (1998) Using constraint programming and local search methods to solve vehicle routing
problems, CP-98, LNCS 1520:417-431 (large-neighbourhood search: re-solve a related part of the
solution exactly, keep the rest); Danna, Rothberg & Le Pape (2005) Mathematical Programming
102:71-90 (sub-MIPs over fixed neighbourhoods); the cut loop of :mod:`scp.solving.cut_loop`.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Callable

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order

from ..model import Model
from ..model.cuts import cut_rows, unit_graph
from ..model.model import with_rows
from ..model.window_flow import window_flow, window_flow_start
from .heuristic import full_start
from .rins import fixed_units
from .backends import SolveOptions, SolverResult, Status

START_UNITS = 300
"""Units of the first window."""
MIN_UNITS, MAX_UNITS = 100, 1_200
"""Bounds of the adapted window size (at most half the units; the first window a quarter of them
when that is fewer than :data:`START_UNITS`)."""
GROW = 1.25
"""Factor by which the window grows after a quick solve without improvement (and shrinks after
a window that ran out of rounds or time)."""
QUICK_SECONDS = 1.0
"""A window solved within this many seconds counts as quick."""
SUB_SECONDS = 3.0
"""Time limit of one sub-model solve."""
UNGUARDED_MARGIN = 10.0
"""Seconds between the end of a sub-model solve's time limit and the caller's deadline below which
the solve gets the deadline (:func:`guarded`)."""
MAX_ROUNDS = 10
"""Cut rounds per window."""
SUB_GAP = 1e-4
"""Gap of each sub-model solve (its bound holds only for the window)."""
STALE_WINDOWS = 30
"""The search ends after this many windows in a row without an improvement, or fewer on a small
problem: as many as cover its open units twice (at least :data:`MIN_STALE`; on Koytendag one
window in three improves)."""
MIN_STALE = 5
REPORT_EVERY = 10
"""Windows between two progress lines."""


def window(graph: sp.csr_matrix, centre: int, size: int, selected: np.ndarray | None = None) -> np.ndarray:
    """Mask of the first ``size`` units a breadth-first search of ``graph`` meets from ``centre``;
    with ``selected`` (a mask) cut shorter, when it would hold every selected unit, to end before
    the later half of them (a window re-solves part of a plan; its flow rows need a fixed part)."""
    order = breadth_first_order(graph, centre, directed=False, return_predecessors=False)
    head = order[:size]
    if selected is not None:
        chosen = np.flatnonzero(selected[order])
        if chosen.size and chosen[-1] < size:
            head = order[:chosen[chosen.size // 2]]
    mask = np.zeros(graph.shape[0], dtype=bool)
    mask[head] = True
    return mask


def edge_units(graph: sp.csr_matrix, selected: np.ndarray, movable: np.ndarray) -> np.ndarray:
    """Selected units with an unselected neighbour that may change (``graph`` from
    :func:`scp.model.cuts.unit_graph`); all movable selected units when none has one."""
    open_nbr = np.asarray(graph @ (movable & ~selected).astype(np.int8)).ravel() > 0
    edge = np.flatnonzero(selected & open_nbr)
    return edge if edge.size else np.flatnonzero(selected & movable)


def fixed_outside(model: Model, inside: np.ndarray, selection: np.ndarray) -> Model:
    """``model`` with every unit outside the mask ``inside`` fixed to its 0/1 value in ``selection``."""
    return fixed_units(model, ~np.asarray(inside, dtype=bool), selection)


def guarded(deadline_at: float | None, limit: float) -> float | None:
    """The deadline to hand a sub-model's solve: None (solved in this process, no child process to
    start: a window's sub-model is solved in 0.1-3 s) unless the caller's deadline comes within
    :data:`UNGUARDED_MARGIN` of the end of its time limit (then the solver's guard, which stops it
    at the deadline whatever it is doing, keeps the deadline a promise)."""
    if deadline_at is None or deadline_at - (time.perf_counter() + limit) >= UNGUARDED_MARGIN:
        return None
    return deadline_at


def fixed_root(model: Model, root_start: int | None) -> int | None:
    """The unit the model's root column is fixed on, if any."""
    if root_start is None:
        return None
    fixed = np.flatnonzero(model.col_lower[root_start:root_start + model.n_pu] > 0.5)
    return int(fixed[0]) if fixed.size else None


def window_search(model: Model, adj: sp.csr_matrix, best: Callable[[], tuple[np.ndarray, float]],
                  offer: Callable[[np.ndarray], bool],
                  exact: Callable[[Model, object, SolveOptions], SolverResult], options: SolveOptions,
                  separate: Callable[[np.ndarray], list], join: Callable[[np.ndarray], np.ndarray | None],
                  needs_cuts, root_start: int | None, stop_at: float,
                  say: Callable[[str], None] = lambda text: None, seed: int = 0,
                  flow: bool = True, enough: Callable[[float], bool] | None = None) -> tuple[Model, int, int]:
    """The search of the module docstring from the best connected selection until ``stop_at``;
    ``best()`` gives it and its objective (as :func:`scp.evaluate` reported it to ``offer``),
    ``separate(selection)`` the cuts a selection violates, ``join(selection)`` a connected
    selection or None, ``needs_cuts(x)`` whether a solution breaks contiguity; the search also ends
    once ``enough(objective)`` holds for the best objective (e.g. it is within the requested gap of
    a bound already proven). Returns
    ``(model with the cuts found, windows searched, cuts found)``."""
    n = model.n_pu
    graph = unit_graph(adj)
    movable = model.col_lower[:n] < model.col_upper[:n]
    root_unit = fixed_root(model, root_start)
    rng = np.random.default_rng(seed)
    largest = min(MAX_UNITS, max(1, n // 2))  # a window is a part of the problem, never all of it
    smallest = min(MIN_UNITS, largest)
    size = min(START_UNITS, max(smallest, n // 4))
    patience = int(min(STALE_WINDOWS, max(MIN_STALE, np.ceil(2 * movable.sum() / size))))
    windows = n_cuts = improvements = stale = 0
    cuts_model = model
    sub_options = dataclasses.replace(options, gap=SUB_GAP, progress=None)
    start_objective = best()[1]
    while time.perf_counter() < stop_at - 1.0 and stale < patience and not (enough and enough(best()[1])):
        centre_sel = np.asarray(best()[0], dtype=bool)
        edge = edge_units(graph, centre_sel, movable)
        if edge.size == 0:
            break
        inside = window(graph, int(rng.choice(edge)), size, centre_sel & movable) & movable
        t0 = time.perf_counter()
        improved = crowded = False
        solved = False
        for _ in range(MAX_ROUNDS):
            left = stop_at - time.perf_counter()
            if left <= 0.5:
                break
            sub = fixed_outside(cuts_model, inside, centre_sel)
            start = full_start(sub, centre_sel.astype(np.float64))
            if flow:
                sub = window_flow(sub, adj, inside, centre_sel, root_unit)
                if "window_flow" in sub.info:
                    flows = window_flow_start(sub, centre_sel)
                    # no flow (a plan not connected in the window's graph): the selection alone,
                    # completed by the solver
                    start = centre_sel if flows is None else np.concatenate([start, flows])
            limit = min(SUB_SECONDS, left)
            res = exact(sub, start, dataclasses.replace(
                sub_options, time_limit=limit, deadline_at=guarded(options.deadline_at, limit),
                stop_on_solution=needs_cuts))
            if res.x is None:
                solved = res.status is not Status.TIME_LIMIT
                break
            sel = res.x[:n] > 0.5
            cuts = separate(sel)
            if not cuts:
                improved = offer(sel) or improved
                solved = res.status in (Status.OPTIMAL, Status.WITHIN_GAP)
                break
            joined = join(sel)
            improved = (joined is not None and offer(joined)) or improved
            A, rhs = cut_rows(cuts, cuts_model.n_cols, root_start)
            cuts_model = with_rows(cuts_model, f"window_cuts:{windows}:{n_cuts}", A, -np.inf, rhs)
            n_cuts += len(cuts)
        else:
            crowded = True
        windows += 1
        improvements += improved
        stale = 0 if improved else stale + 1
        seconds = time.perf_counter() - t0
        if solved and not improved and seconds <= QUICK_SECONDS:
            size = min(largest, int(size * GROW))
        elif crowded or not solved:
            size = max(smallest, int(size / GROW))
        if windows % REPORT_EVERY == 0:
            say(f"window search: {windows} windows ({improvements} improved; now {size} units each): "
                f"best connected objective {best()[1]:,.6g}")
    if windows % REPORT_EVERY:
        say(f"window search: {windows} windows ({improvements} improved): best connected objective "
            f"{best()[1]:,.6g} (from {start_objective:,.6g})")
    return cuts_model, windows, n_cuts
