"""Compact starts for one connected network: plans solved at a stronger boundary penalty, joined.

Heuristic
---------
A plan that need not be connected falls into many parts (the Koytendag reference: 31), and
joining them along the cheapest chains (:func:`scp.solving.connect.connect`) costs much of what
contiguity costs. With the boundary penalty ``p`` raised to ``m p`` the same problem's plan
clusters into fewer parts, so fewer and shorter chains join it. For each multiplier ``m`` of
:data:`MULTIPLIERS` the problem without its cut-based constraints and with every boundary penalty
times ``m`` is solved (the solve pipeline, LP-guided heuristics and exact solver, within its time
share), its plan is joined into one piece, and the joined plan is scored with the true problem
(:func:`scp.evaluate`, the original penalty); the caller keeps the best. This is a primal
heuristic only (a penalty continuation, as in the boundary-penalty calibration of Stewart &
Possingham 2005): no bound comes from it.

Measured on the Koytendag reference as one network (12,719 units, penalty 0.0005): joined plans at
11,616 (m = 1, 31 parts), 11,567 (m = 1.5, 17 parts) and 11,575 (m = 2, 11 parts); 120 s of the
connected local search took the last two to 11,541 and 11,531, where the whole 600 s run from the
first ended at 11,571 (within 1.70%; with the compact starts: 11,541 within 1.44%).

Reference
---------
Stewart & Possingham (2005) Efficiency, costs and trade-offs in marine reserve system design.
Environmental Modeling & Assessment 10:203-213 (calibrating the boundary length modifier).
"""

from __future__ import annotations

import dataclasses
import time
from typing import Callable

import numpy as np

from ..problem import Problem
from ..problem.graph import Contiguity
from ..problem.penalties import BoundaryPenalty
from ..results import evaluate
from .cut_loop import cut_constraints

MULTIPLIERS = (1.5, 2.0)
"""Boundary-penalty multipliers of the compact starts."""
SHARE = 0.08
"""Share of the time left that each compact start's solve gets."""
MIN_LP_TIMES = 5.0
"""A compact start is solved only when its share is at least this many LP-relaxation times (the
solve needs the LP, the heuristics and some branch and bound)."""
NO_LIMIT_SECONDS = 30.0
"""Seconds each compact start's solve gets when the solve has no time limit (its branch and bound
could otherwise run for hours on a landscape-scale problem)."""
GAP = 0.002
"""Gap each compact start is solved to (at most the caller's gap)."""


def applies(problem: Problem) -> bool:
    """Whether the problem has a positive boundary penalty and contiguity enforced by cuts (of the
    whole selection, or of every part to the locked-in units)."""
    return (any(isinstance(p, BoundaryPenalty) and p.penalty > 0 for p in problem.penalties)
            and any(isinstance(c, Contiguity) for c in cut_constraints(problem)))


def stronger_boundary(relaxed: Problem, multiplier: float) -> Problem:
    """``relaxed`` with every boundary penalty times ``multiplier`` (other penalties unchanged)."""
    return dataclasses.replace(relaxed, penalties=tuple(
        dataclasses.replace(p, penalty=p.penalty * multiplier) if isinstance(p, BoundaryPenalty) else p
        for p in relaxed.penalties))


def compact_starts(problem: Problem, relaxed: Problem,
                   solve_relaxed: Callable[[Problem, float, float], np.ndarray | None],
                   join: Callable[[np.ndarray], np.ndarray | None], share: Callable[[float], float | None],
                   lp_seconds: float, gap: float,
                   announce: Callable[[str], None] | None = None) -> list[tuple[np.ndarray, float]]:
    """The joined plans of the module docstring that :func:`evaluate` finds feasible for
    ``problem``, as ``(selection, objective)``.

    ``relaxed`` is ``problem`` without its cut-based constraints; ``solve_relaxed(p, seconds,
    gap)`` solves a problem without them and returns its 0/1 selection (None when it found none);
    ``join(selection)`` joins a selection into one piece (None when it cannot); ``share(f)`` is
    the deadline's share ``f`` of the time left (None without a limit: then
    :data:`NO_LIMIT_SECONDS`). A start is skipped when its share is less than
    :data:`MIN_LP_TIMES` LP-relaxation times (``lp_seconds``)."""
    found: list[tuple[np.ndarray, float]] = []
    if not applies(problem):
        return found
    for m in MULTIPLIERS:
        seconds = share(SHARE)
        if seconds is None:
            seconds = NO_LIMIT_SECONDS
        elif seconds < MIN_LP_TIMES * max(lp_seconds, 0.2):
            break
        if announce is not None:
            announce(f"compact start at {m:g} x the boundary penalty: solving without contiguity "
                     f"(up to {seconds:.0f} s)")
        t0 = time.perf_counter()
        selection = solve_relaxed(stronger_boundary(relaxed, m), seconds, min(gap, GAP) if gap > 0 else GAP)
        joined = None if selection is None else join(np.asarray(selection, dtype=bool))
        ev = None if joined is None else evaluate(problem, joined)
        if ev is None or not ev.feasible:
            continue
        found.append((np.asarray(joined, dtype=bool), ev.objective))
        if announce is not None:
            announce(f"compact start at {m:g} x the boundary penalty: joined into one piece, objective "
                     f"{ev.objective:,.6g} ({time.perf_counter() - t0:.0f} s)")
    return found
