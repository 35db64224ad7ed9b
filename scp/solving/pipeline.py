"""The solve pipeline: ``scp.solve(problem)``.

presolve checks -> compile -> (optional) heuristic phase (:mod:`scp.solving.start_phase`: annealing,
LP relaxation, LP-guided greedy, compiled local search, relaxation-induced neighbourhood search) ->
exact solver (warm-started) -> bound bookkeeping -> verification of the selection by
:func:`scp.evaluate`.

Every phase lives in its own module; this one only sequences them and keeps the books:

* the bound reported is the best *valid* bound of all phases (the solver's, or the LP
  relaxation's when that is better; both are lower bounds of a minimisation);
* a selection is returned only after :func:`~scp.results.evaluate.evaluate` has checked it
  against every constraint of the problem, from the selection itself;
* ``Status.OPTIMAL`` means proven optimal; a selection proven only within a larger requested gap
  (by the solver, or by the LP bound) is ``Status.WITHIN_GAP``.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from typing import Callable

import numpy as np

from ..errors import Infeasible, ScenarioError, SolverError, warn
from ..model import Model, coefficient_warnings, compile_problem, infeasibility_reasons
from ..problem import Problem
from ..results import Solution, Status, evaluate
from ..results.status import OPTIMAL_GAP
from .backends import SolveOptions, SolverResult, relative_gap, solve_with
from .backends.highs import solve_highs_guarded
from .deadline import Deadline
from .connect import connect
from .compact_starts import compact_starts
from .cut_loop import cut_constraints, solve_with_cuts, without_cuts
from .heuristic import Start, full_start, supported
from .start_phase import announce, heuristic_start, neighbourhood, start_extra

SA_SHARE = 0.5
"""Share of the time left that the annealer gets on problems with pair penalties."""

SETUP_FACTOR = 3.0
"""HiGHS's setup after presolve (no callbacks, so no clock) takes about this many times the LP
relaxation's interior-point time (measured: 2.9 s after a 1.0 s LP on 25k rows, ~6 s after 2.4 s on
the Koytendag reference); the exact solver is skipped when less time than that is left."""

GUARDED_ROWS = 5_000
"""HiGHS solves with a deadline of models with at least this many rows run in a child process
that is stopped at the deadline, keeping the incumbents it reported
(:func:`scp.solving.backends.highs.solve_highs_guarded`): HiGHS does not check its clock in parts
of its setup (measured: 57 s for an 18 s limit on 12k rows). Smaller models stay in-process."""


def solve(problem: Problem, solver: str = "highs", *, gap: float = 0.0, time_limit: float | None = None,
          threads: int | None = None, verbose: bool = False,
          progress: Callable[[float, float, float, float], None] | None = None,
          warm_start=None, formulation: str = "pairs", deadline: Deadline | None = None) -> Solution:
    """Check, compile, solve and verify ``problem``.

    Parameters
    ----------
    problem: the :class:`~scp.problem.Problem` to solve.
    solver: ``"highs"`` (default), ``"scip"`` (optional; contiguity cuts inside its tree), ``"cbc"``, or
        ``"pulp:NAME"``.
    gap: relative optimality gap (default 0: solve to proven optimality).
    time_limit: seconds for the whole call (checks, compiling, every phase, verification); a solve
        that hits it returns its best verified selection (status ``TIME_LIMIT``).
    threads, verbose, progress: see :class:`~scp.solving.backends.base.SolveOptions`.
    warm_start: a 0/1 selection offered to the solver as a first solution (HiGHS), or
        ``"heuristic"``: solve the LP relaxation, build a selection with the heuristic of
        :mod:`scp.solving.heuristic`, and stop there when the LP bound proves it within ``gap``;
        otherwise it warm-starts the solver (minimum-set problems with targets, coverage and
        locks; other problems are solved as without it).
    formulation: linearisation of penalty pairs, ``"pairs"`` or ``"compact"`` (:mod:`scp.model.pairs`).
    deadline: a :class:`~scp.solving.deadline.Deadline` started by the caller (``scplan`` starts one
        when the command starts, with a reserve for writing results); replaces ``time_limit``.

    Returns
    -------
    Solution
        Verified by :func:`scp.evaluate`.

    Raises
    ------
    Infeasible
        With domain-worded reasons, before solving when a presolve check fails.
    SolverError
        When the solver fails, or returns a selection that violates a constraint.
    """
    gap = _checked_gap(gap)
    threads = checked_threads(threads)
    if time_limit is not None and not float(time_limit) > 0:
        raise ScenarioError(f"{time_limit} must be > 0 seconds", "solver.time_limit")
    deadline = deadline or Deadline(None if time_limit is None else float(time_limit))
    reasons = infeasibility_reasons(problem)
    if reasons:
        raise Infeasible("the problem is infeasible:", reasons)
    announce(progress, f"compiling the model ({problem.data.n_pu:,} planning units)")
    t0 = time.perf_counter()
    model = compile_problem(problem, formulation)
    compile_time = time.perf_counter() - t0
    announce(progress, f"model: {model.n_rows:,} rows x {model.n_cols:,} columns ({compile_time:.1f} s)")
    for w in coefficient_warnings(model):
        warn(w)
    return solve_model(problem, model, solver, gap=gap, threads=threads, verbose=verbose, progress=progress,
                       warm_start=warm_start, compile_time=compile_time, deadline=deadline)


def solve_model(problem: Problem, model: Model, solver: str = "highs", *, gap: float = 0.0,
                time_limit: float | None = None, threads: int | None = None, verbose: bool = False,
                progress=None, warm_start=None, compile_time: float = 0.0,
                deadline: Deadline | None = None) -> Solution:
    """Solve a model compiled from ``problem`` (possibly with rows added, e.g. the cuts of a
    portfolio) and verify the selection against ``problem``; see :func:`solve`."""
    threads = checked_threads(threads)
    deadline = deadline or Deadline(None if time_limit is None else float(time_limit))
    if problem.decisions.continuous and warm_start is not None:
        announce(progress, "continuous decisions: no 0/1 heuristic start; solving the model directly")
        warm_start = None
    elif isinstance(warm_start, str) and (problem.data.signed_features.any()
                                          or any(p.penalty < 0 for p in problem.penalties)):
        announce(progress, "negative amounts or penalties: the greedy start and local search assume them >= 0; "
                 "solving directly")
        warm_start = None
    if cut_constraints(problem):
        res = _solve_by_cuts(problem, model, solver, warm_start, SolveOptions(
            gap=gap, threads=threads, verbose=verbose, progress=progress, deadline_at=deadline.at), deadline)
        return verified(problem, model, res, deadline.limit, compile_time)
    start: Start | None = None
    res: SolverResult | None = None
    if isinstance(warm_start, str):
        if warm_start != "heuristic":
            raise ScenarioError(f"{warm_start!r}: give a selection or 'heuristic'", "solver.warm_start")
        t0 = time.perf_counter()
        start = heuristic_start(problem, model, deadline, threads, gap, progress, shares=(SA_SHARE, 0.4, 0.2))
        # HiGHS spends a few LP-solve times in its setup without looking at the clock: with less time
        # than that left it would overrun the deadline, so the verified selection is kept instead
        setup = max(0.5, SETUP_FACTOR * start.lp_seconds)
        if start.selection is not None and start.gap > gap and start.lp_x is not None \
                and not deadline.expired(margin=setup):
            neighbourhood(problem, model, lambda m, w, o: _exact(m, solver, w, o), start, deadline,
                          SolveOptions(gap=gap, threads=threads), progress)
        used = time.perf_counter() - t0
        warm_start = start.selection
        if start.selection is not None and start.gap <= gap:
            announce(progress, "the LP bound proves this selection within the requested gap")
            res = _heuristic_result(model, start, Status.OPTIMAL, used)  # the LP bound proves it
        elif start.selection is not None and deadline.expired(margin=setup):
            res = _heuristic_result(model, start, Status.TIME_LIMIT, used, log="no time left for the exact solver")
    if res is None:
        left = deadline.remaining()
        announce(progress, f"branch and bound ({solver}): objective of the incumbent, best bound, gap")
        res = _exact(model, solver, warm_start, SolveOptions(
            gap=gap, time_limit=None if left is None else max(0.1, left), threads=threads, verbose=verbose,
            progress=progress, deadline_at=deadline.at))
        if start is not None:
            res = _with_lp_books(model, res, start)
        elif res.x is None and warm_start is not None:
            res = _kept_warm_start(problem, model, res, warm_start)
    return verified(problem, model, res, deadline.limit, compile_time)


def _kept_warm_start(problem: Problem, model: Model, res: SolverResult, warm_start) -> SolverResult:
    """When the exact solver stopped (time limit) before reporting any solution, a caller's warm
    start that :func:`evaluate` finds feasible is the best verified selection so far: keep it,
    with the solver's bound when it has one (status ``TIME_LIMIT``)."""
    if res.status not in (Status.NO_SOLUTION, Status.TIME_LIMIT):
        return res
    sel = np.asarray(warm_start, dtype=np.float64) > 0.5
    ev = evaluate(problem, sel)
    if not ev.feasible:
        return res
    obj = model.sense * ev.objective  # the model's minimisation form
    bound = res.bound if np.isfinite(res.bound) and res.bound <= obj else -np.inf  # else only the trivial bound
    return SolverResult(Status.TIME_LIMIT, full_start(model, sel.astype(np.float64)), obj, bound,
                        relative_gap(obj, bound), res.runtime, f"{res.solver} (stopped; the warm start kept)",
                        log=res.log, extra=res.extra)


def _solve_by_cuts(problem: Problem, model: Model, solver: str, warm_start, options: SolveOptions,
                   deadline: Deadline) -> SolverResult:
    """Contiguity by cut generation (:mod:`scp.solving.cut_loop`). With ``warm_start="heuristic"``
    the LP-guided start and local search run on the problem without its cut-based constraints
    (the same model: those constraints compile to no rows), the selection is joined into one
    piece (:func:`scp.solving.connect.connect`) and warm-starts the loop, unless a compact start
    (:mod:`scp.solving.compact_starts`: the plan at a stronger boundary penalty, joined) is better;
    the LP bound of that relaxation stays a valid bound."""
    lp_bound = -np.inf
    if isinstance(warm_start, str):
        if warm_start != "heuristic":
            raise ScenarioError(f"{warm_start!r}: give a selection or 'heuristic'", "solver.warm_start")
        relaxed = without_cuts(problem)
        warm_start = None
        if supported(relaxed):
            announce(options.progress, "heuristics without contiguity first")
            start = heuristic_start(relaxed, model, deadline, options.threads, options.gap, options.progress,
                                    shares=(0.15, 0.3, 0.1))
            lp_bound = start.lp_bound if np.isfinite(start.lp_bound) else -np.inf
            share = deadline.share(0.2)
            joined = None if start.selection is None else connect(
                problem, start.selection, stop_at=None if share is None else time.perf_counter() + share)
            ev = None if joined is None else evaluate(problem, joined)
            candidates = []
            if ev is not None and ev.feasible:
                candidates.append((joined, ev.objective))
                announce(options.progress, f"joined into one piece: objective {ev.objective:,.6g}")
            candidates += compact_starts(
                problem, relaxed, lambda p, seconds, g: _relaxed_selection(p, solver, seconds, g, options.threads),
                lambda sel: connect(problem, sel, stop_at=deadline.at), deadline.share, start.lp_seconds,
                options.gap, lambda text: announce(options.progress, text))
            if candidates:
                warm_start = min(candidates, key=lambda c: model.sense * c[1])[0]
    res = solve_with_cuts(problem, model, lambda m, w, o: _exact(m, solver, w, o), options, deadline,
                          warm_start, announce=lambda text: announce(options.progress, text),
                          in_tree=str(solver).strip().lower() == "scip")
    if res.x is not None and lp_bound > res.bound:
        res.bound, res.gap = lp_bound, relative_gap(res.objective, lp_bound)
    return res


def _relaxed_selection(problem: Problem, solver: str, seconds: float | None, gap: float,
                       threads: int | None) -> np.ndarray | None:
    """The verified selection of ``problem`` (no cut-based constraints) solved within ``seconds``, or
    None when the solve found none."""
    try:
        return solve(problem, solver, gap=gap, time_limit=seconds, threads=threads, warm_start="heuristic").selection
    except (SolverError, Infeasible):
        return None


def _checked_gap(gap) -> float:
    try:
        gap = float(gap)
    except (TypeError, ValueError):
        raise ScenarioError(f"{gap!r} is not a number", "solver.gap") from None
    if not 0 <= gap < 1:
        raise ScenarioError(f"{gap} is not in [0, 1) (0.01 means 1%)", "solver.gap")
    return gap


def checked_threads(threads) -> int | None:
    """``threads`` as a whole number >= 1, capped (with a warning) at this machine's CPU count."""
    if threads is None:
        return None
    try:
        t = int(threads)
    except (TypeError, ValueError):
        raise ScenarioError(f"{threads!r} is not a whole number", "solver.threads") from None
    if t != threads or t < 1:
        raise ScenarioError(f"{threads!r} must be a whole number >= 1 (or leave it out for the solver's "
                            "default)", "solver.threads")
    cpus = os.cpu_count() or 1
    if t > cpus:
        warn(f"solver.threads: {t} is more than this machine's {cpus} CPUs; using {cpus}")
        t = cpus
    return t


def _heuristic_result(model: Model, start: Start, status: Status, runtime: float, log: str = "",
                      **extra) -> SolverResult:
    """The heuristic selection with the LP bound as its proof of quality."""
    return SolverResult(status, full_start(model, start.selection), start.objective, start.lp_bound, start.gap,
                        runtime, "highs LP bound + heuristic", log=log, extra=dict(start_extra(start), **extra))


def _exact(model: Model, solver: str, warm_start, options: SolveOptions) -> SolverResult:
    """The exact solver, warm-started from a 0/1 selection (or a complete column vector) when one
    is given."""
    if warm_start is not None:
        start = np.asarray(warm_start, dtype=np.float64)
        if start.shape != (model.n_cols,):
            sel = np.zeros(model.n_pu)
            sel[:] = start
            start = full_start(model, sel)
        options = replace(options, warm_start=start)
    if solver == "highs" and options.deadline_at is not None and model.n_rows >= GUARDED_ROWS:
        return solve_highs_guarded(model, options)
    return solve_with(model, solver, options)


def _with_lp_books(model: Model, res: SolverResult, start: Start) -> SolverResult:
    """Bound bookkeeping after a warm-started solve: the LP bound is valid for the whole solve,
    so keep the better of it and the solver's bound; when the solver gave nothing back in time,
    keep the heuristic selection and its LP bound."""
    res.extra.update(start_extra(start))
    if res.x is not None and np.isfinite(start.lp_bound) and not \
            (np.isfinite(res.bound) and res.bound >= start.lp_bound):
        res.bound = start.lp_bound
        res.gap = relative_gap(res.objective, res.bound)
    if res.x is None and start.selection is not None:
        return _heuristic_result(model, start, Status.TIME_LIMIT, res.runtime, log=res.log, solver_log=res.log)
    return res


def verified(problem: Problem, model: Model, res: SolverResult, time_limit: float | None,
              compile_time: float) -> Solution:
    """Turn a backend result into a :class:`Solution`, after checking the selection from itself."""
    if res.status is Status.INFEASIBLE:
        raise Infeasible(
            "the solver proved the problem infeasible; no single check fails on its own, so the "
            "constraints conflict together (targets, budget, coverage and locked units).",
            ["relax a target or the budget, or use min_shortfall(budget) to see how close you can get"])
    if res.status is Status.UNBOUNDED:
        raise SolverError("the solver reports the problem unbounded; check for negative costs or penalties")
    if res.status is Status.NO_SOLUTION:
        raise SolverError(f"{res.solver} stopped (time limit {time_limit} s) before finding any solution; "
                          "raise the time limit or relax the gap")
    if res.status is Status.ERROR or res.x is None:
        raise SolverError(f"{res.solver} failed: {res.extra} {res.log[-1000:]}")
    x = res.x[: model.n_pu]
    if problem.decisions.continuous:
        ev = evaluate(problem, np.clip(x, 0.0, problem.decisions.upper))
        selection = ev.selected
    else:
        selection = x > 0.5
        ev = evaluate(problem, selection)
    if ev.violations:
        raise SolverError(f"{res.solver} returned a selection that fails verification: "
                          + "; ".join(ev.violations[:5]))
    sense = model.sense
    status = res.status
    if status is Status.OPTIMAL and not res.gap <= OPTIMAL_GAP:
        status = Status.WITHIN_GAP  # never "optimal" for a gap-limited answer
    return Solution(
        problem=problem, selection=selection, status=status, objective=ev.objective,
        solver_objective=sense * res.objective, bound=sense * res.bound, gap=res.gap,
        runtime=res.runtime, build_time=res.build_time, compile_time=compile_time,
        solver=res.solver, evaluation=ev, model_digest=model.digest(), log=res.log, extra=res.extra,
    )
