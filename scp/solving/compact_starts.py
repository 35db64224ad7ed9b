"""Compact starts for one connected network: plans solved with a stronger boundary penalty, joined.

Heuristic
---------
A plan that need not be connected falls into many parts (the Koytendag reference: 31), and
joining them along the cheapest chains (:func:`scp.solving.connect.connect`) costs much of what
contiguity costs. With a stronger boundary penalty the same problem's plan clusters into fewer
parts, so fewer and shorter chains join it. The problem without its cut-based constraints is
solved (the solve pipeline, LP-guided heuristics and exact solver, within its time share) with

* its boundary penalty ``p`` times each ``m`` of :data:`MULTIPLIERS`, when it has one (``p > 0``);
* otherwise a boundary penalty ``f c / b`` for each ``f`` of :data:`SYNTHETIC_FACTORS`, with ``c``
  the mean cost of a unit and ``b`` the mean length of a boundary shared by two units (so
  ``f = 0.7`` prices a shared edge at 70% of an average unit's cost);

each plan is joined into one piece, and the joined plan is scored with the true problem
(:func:`scp.evaluate`, its own penalties); the caller keeps the best. This is a primal heuristic
only (a penalty continuation, as in the boundary-penalty calibration of Stewart & Possingham
2005): no bound comes from it.

Measured on this machine (60 s per solve unless stated, one run each, the solve without compact
starts first):

* the Koytendag reference as one network (12,719 units, penalty 0.0005), offline: joined plans at
  11,616 (m = 1, 31 parts), 11,567 (m = 1.5, 17 parts), 11,575 (m = 2, 11 parts), 11,712 - 11,909
  for m = 2.5 - 8; 120 s of the connected local search took the m = 1.5 and 2 plans to 11,541 and
  11,531. The scenario's 600 s run: 11,571 within 1.70% without compact starts, 11,541 within
  1.44% with them;
* the random grids of ``benchmarks/bench_contiguity.py`` (no boundary penalty, so factors 0.35
  and 0.7; the HiGHS loop / SCIP, 60 s, against the previous code's run of the benchmark): 30x30
  456.2 / 456.2 -> 444.7 / 434.1, 50x50 1,304.6 / 1,306.3 -> 1,253.0 / 1,253.0, 100x100 4,937.0 /
  4,935.9 -> 4,776.3 / 4,739.2; but 20x20 175.9 / 175.9 -> 177.4 / 193.2, 15x15 119.9 -> 120.6,
  and SCIP's proof at 10x10 took 18 s instead of 12 (the starts' solves come first).

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
import scipy.sparse as sp

from ..problem import Problem
from ..problem.graph import Contiguity
from ..problem.penalties import BoundaryPenalty
from ..results import evaluate
from .cut_loop import cut_constraints

MULTIPLIERS = (1.5, 2.0)
"""Multipliers of the problem's boundary penalty for the compact starts."""
SYNTHETIC_FACTORS = (0.35, 0.7)
"""Boundary penalties of the compact starts of a problem without one, in mean unit costs per mean
shared boundary length (measured on 30x30 grids: penalties 0, 0.5, 1, 2, 4, 8 times the shared
edge gave joined plans 696, 643, 593, 504, 487, 572, with a mean unit cost of 5.5)."""
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
    """Whether the problem has contiguity enforced by cuts (of the whole selection, or of every
    part to the locked-in units) and no negative boundary penalty."""
    return (any(isinstance(c, Contiguity) for c in cut_constraints(problem))
            and not any(isinstance(p, BoundaryPenalty) and p.penalty < 0 for p in problem.penalties))


def stronger_boundary(relaxed: Problem, multiplier: float) -> Problem:
    """``relaxed`` with every boundary penalty times ``multiplier`` (other penalties unchanged)."""
    return dataclasses.replace(relaxed, penalties=tuple(
        dataclasses.replace(p, penalty=p.penalty * multiplier) if isinstance(p, BoundaryPenalty) else p
        for p in relaxed.penalties))


def compact_variants(relaxed: Problem) -> list[tuple[str, Problem]]:
    """``(label, problem)`` for each compact start of the module docstring: the boundary penalty
    scaled by :data:`MULTIPLIERS`, or, without one, added at :data:`SYNTHETIC_FACTORS` (none when
    the units have no cost or share no boundary)."""
    if any(isinstance(p, BoundaryPenalty) and p.penalty > 0 for p in relaxed.penalties):
        return [(f"{m:g} x the boundary penalty", stronger_boundary(relaxed, m)) for m in MULTIPLIERS]
    data = relaxed.data
    shared = sp.triu(data.boundary, k=1).data if data.boundary is not None else np.zeros(0)
    shared = shared[shared > 0]
    unit_cost = float(np.mean(data.cost)) if data.n_pu else 0.0
    if shared.size == 0 or not unit_cost > 0:
        return []
    edge_factor = next((p.edge_factor for p in relaxed.penalties if isinstance(p, BoundaryPenalty)), 1.0)
    others = tuple(p for p in relaxed.penalties if not isinstance(p, BoundaryPenalty))
    variants = []
    for f in SYNTHETIC_FACTORS:
        penalty = f * unit_cost / float(shared.mean())
        variants.append((f"boundary penalty {penalty:,.4g} (none in the problem)",
                         dataclasses.replace(relaxed, penalties=others + (BoundaryPenalty(penalty, edge_factor),))))
    return variants


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
    for label, variant in compact_variants(relaxed):
        seconds = share(SHARE)
        if seconds is None:
            seconds = NO_LIMIT_SECONDS
        elif seconds < MIN_LP_TIMES * max(lp_seconds, 0.2):
            break
        if announce is not None:
            announce(f"compact start at {label}: solving without contiguity (up to {seconds:.0f} s)")
        t0 = time.perf_counter()
        selection = solve_relaxed(variant, seconds, min(gap, GAP) if gap > 0 else GAP)
        joined = None if selection is None else join(np.asarray(selection, dtype=bool))
        ev = None if joined is None else evaluate(problem, joined)
        if ev is None or not ev.feasible:
            continue
        found.append((np.asarray(joined, dtype=bool), ev.objective))
        if announce is not None:
            announce(f"compact start at {label}: joined into one piece, objective "
                     f"{ev.objective:,.6g} ({time.perf_counter() - t0:.0f} s)")
    return found
