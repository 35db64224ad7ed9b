"""The heuristic phase of the solve pipeline: the primal heuristics in turn under one deadline.

penalised-shortfall annealing (pair penalties) -> LP relaxation and the greedy selection it
guides -> compiled local search -> relaxation-induced neighbourhood search. Each phase asks the
:class:`~scp.solving.deadline.Deadline` for its share of what remains; every selection kept is
verified by :func:`scp.evaluate`. :mod:`scp.solving.pipeline` sequences this phase with the exact
solver.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable

import numpy as np

from ..model import Model
from ..problem import Problem
from ..results import evaluate
from .annealing import anneal_in_rounds
from .backends import SolveOptions, SolverResult
from .deadline import Deadline
from .heuristic import Start, has_pair_penalties, lp_guided_start
from .local_search import local_search
from .rins import relaxation_induced_search

RINS_SHARE = 0.5
"""Share of the time left (after the heuristics) that the neighbourhood search gets: on the
Koytendag case at twice the reference penalty the sub-MIP finds its best selection in ~11 s,
while the full branch and bound moves its bound by ~1 in minutes."""


def announce(progress, text: str) -> None:
    """Tell the progress display which phase starts (when it has a ``phase`` method)."""
    phase = getattr(progress, "phase", None)
    if callable(phase):
        phase(text)


SHORT_SOLVE = 1.0
SHORT_SA_SHARE = 0.8
"""With less than :data:`SHORT_SOLVE` seconds to solve a problem with pair penalties, the annealer
gets this share of them instead of its usual one: in so little time the LP bound proves nothing
and the LP-guided selection is far behind (measured with ``scplan marxan --time-limit 0.5`` on
the generated 2,000-hexagon project with 0.3 s to solve: 8,200.35 with the usual share, where the
annealer's first round left no time for its second, 6,591.51 with this one; with the 0.6 s that
:func:`~scp.solving.deadline.command_deadline` now grants there, 6,177.63)."""

LOCAL_SEARCH_ROUNDS = ((300, 0.05), (3_000, 0.5), (30_000, 0.5))
"""(sweeps, start temperature) of the local-search rounds: each round starts from the best selection
so far and runs only while the selection is not yet within the requested gap of the LP bound, the
phase's time is not spent and the round before improved it. Longer, hotter rounds pay on
boundary-heavy problems (measured on Koytendag at twice the penalty with 30% per country: 12,951
after round 1, 12,299 after round 2, LP bound 12,015); after a round without gain the next one,
from the same selection, found nothing either in the runs measured (prioritizr's example at BLM 1:
2.3 s; the Koytendag Marxan project at twice the penalty: 1.8 s), so the rounds end there."""


def heuristic_start(problem: Problem, model: Model, deadline: Deadline, threads: int | None, gap: float,
                    progress, shares: tuple[float, float, float]) -> Start:
    """The primal heuristics in turn, each under its share of the remaining time (``shares``):
    penalised-shortfall annealing (:mod:`scp.solving.annealing`) when the problem has pair
    penalties (boundary, connectivity), where it beats the LP-guided greedy; the LP relaxation (the
    bound) and the greedy selection it guides; the better of the two is improved by the
    feasibility-keeping local search. Every selection kept is verified by :func:`evaluate`."""
    annealed = None
    if has_pair_penalties(problem):
        left = deadline.remaining()
        share = deadline.share(shares[0] if left is None or left >= SHORT_SOLVE else SHORT_SA_SHARE)
        announce(progress, "simulated annealing with penalised shortfalls")
        annealed = anneal_in_rounds(
            problem, deadline_at=None if share is None else time.perf_counter() + share,
            on_round=lambda sweeps, r: announce(progress, f"annealing, {sweeps:,} sweeps: best objective "
                                                          f"{r.objective:,.6g} ({r.seconds:.1f} s)"))
    announce(progress, "LP relaxation, then a greedy selection guided by it")
    start = lp_guided_start(problem, model, deadline.share(shares[1], minimum=1.0), threads, stop_at=deadline.at)
    if start.selection is not None:
        announce(progress, f"LP bound {start.lp_bound:,.6g}; greedy selection: objective {start.objective:,.6g}")
    share = deadline.share(shares[2])
    stop_at = None if share is None else time.perf_counter() + share
    candidates = [start]
    if annealed is not None:
        start.annealing_seconds = annealed.seconds
        ev = evaluate(problem, annealed.selection)
        if ev.feasible:
            candidates.append(replace(start, selection=annealed.selection, objective=ev.objective))
    # the first local-search round on each candidate (the greedy one keeps the LP's structure, which
    # wins where coverage floors bind), then the further rounds on the better
    candidates = [improved(problem, c, stop_at, gap, progress, LOCAL_SEARCH_ROUNDS[:1],
                           "from the LP-guided selection" if k == 0 else "from the annealed selection")
                  for k, c in enumerate(candidates)]
    best = min((c for c in candidates if c.selection is not None), key=lambda c: c.objective, default=start)
    for c in candidates:  # the books of all heuristics
        if c is not best:
            best.local_search_seconds += c.local_search_seconds
    return improved(problem, best, stop_at, gap, progress, LOCAL_SEARCH_ROUNDS[1:], "", first_round=2)


def improved(problem: Problem, start: Start, deadline_at: float | None, gap: float = 0.0,
             progress=None, rounds=LOCAL_SEARCH_ROUNDS, label: str = "", first_round: int = 1) -> Start:
    """The start selection after ``rounds`` of the compiled local search
    (:mod:`scp.solving.local_search`), each kept only when :func:`evaluate` confirms it feasible and
    better; a round without gain ends the rounds. The first round runs even past ``deadline_at``
    (its chains stop there)."""
    for k, (sweeps, temperature) in enumerate(rounds):
        if start.selection is None or start.gap <= gap:
            break
        if k + first_round > 1 and deadline_at is not None and time.perf_counter() >= deadline_at:
            break
        ls = local_search(problem, start.selection, deadline_at=deadline_at, sweeps=sweeps,
                          start_temperature=temperature)
        if ls is None:
            break
        ev = evaluate(problem, ls.selection)
        start.local_search_seconds += ls.seconds
        gained = ev.feasible and ev.objective < start.objective - 1e-9 * max(1.0, abs(start.objective))
        if gained:
            start.local_search_gain += start.objective - ev.objective
            start.selection, start.objective = ls.selection, ev.objective
        announce(progress, f"local search round {k + first_round}{' ' + label if label else ''}: best objective "
                           f"{start.objective:,.6g} "
                           f"(gap to the LP bound {start.gap:.3%})")
        if not gained:
            break  # a longer round from the same selection at the same temperature rarely finds more
    return start


def start_extra(start: Start) -> dict:
    """The heuristic phase's books (seconds and gains per heuristic) for ``Solution.extra``."""
    return {"lp_s": start.lp_seconds, "heuristic_s": start.heuristic_seconds,
            "local_search_s": start.local_search_seconds, "annealing_s": start.annealing_seconds, "local_search_gain": start.local_search_gain,
            "heuristic_objective": start.objective, "lp_bound": start.lp_bound,
            "neighbourhood_s": start.neighbourhood_seconds, "neighbourhood_gain": start.neighbourhood_gain}


def neighbourhood(problem: Problem, model: Model, exact: Callable[[Model, object, SolveOptions], SolverResult],
                  start: Start, deadline: Deadline, options: SolveOptions, progress) -> None:
    """The relaxation-induced neighbourhood search (:mod:`scp.solving.rins`) from the heuristic
    start, for :data:`RINS_SHARE` of the time left; ``start`` takes its selection when better."""
    share = deadline.share(RINS_SHARE)
    if share is not None and share < max(2.0, start.lp_seconds):
        return  # too little time for a sub-MIP (its setup takes about one LP solve)
    found = relaxation_induced_search(
        problem, model, start.lp_x, start.selection, start.objective,
        exact, options,
        None if share is None else time.perf_counter() + share, lambda text: announce(progress, text),
        enough=lambda objective: replace(start, objective=objective).gap <= options.gap)
    if found is None:
        return
    start.neighbourhood_seconds = found.seconds
    if found.objective < start.objective:
        start.neighbourhood_gain = start.objective - found.objective
        start.selection, start.objective = found.selection.astype(np.float64), found.objective
