"""Solve a :class:`~scp.problem.zoned.ZonedProblem`: compile -> exact solver -> verification.

The allocation is read from the first ``n Z`` columns (zone-major) and verified by
:func:`~scp.results.zoned.evaluate_zoned` from the allocation itself; the reported objective is
the verified one, the bound the solver's (proven). The LP-guided heuristic, the annealer and the
local search of the plain problem work on selections; zoned problems get their own first
allocations: annealing over zone allocations with penalised shortfalls
(:mod:`scp.solving.zoned_annealing`, minimum set with penalties, 20% of the time), the MIP
restricted to the decisions the LP relaxation uses (:mod:`scp.solving.zoned_start`, 25% of what
is left; the LP bound is kept for the whole solve) and, for minimum-set problems, the plain
problem of each zone alone (20% of what is left); the best warm-starts branch and bound over the
zones (a caller's allocation may do so instead).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import Infeasible, SolverError
from ..model.zoned import compile_zoned
from ..model.zoned_presolve import zoned_infeasibility_reasons
from ..problem.zoned import ZonedProblem
from ..results import Status
from ..results.status import OPTIMAL_GAP
from ..results.zoned import ZonedEvaluation, as_allocation, evaluate_zoned
from .backends import SolveOptions, relative_gap, solve_with
from .backends.highs import solve_highs_guarded
from .deadline import Deadline
from .pipeline import GUARDED_ROWS
from .zoned_annealing import anneal_zoned
from .zoned_start import lp_restricted_start, zoned_start


@dataclass
class ZonedSolution:
    """A verified allocation: zone per unit (-1: none) and its evaluation."""

    problem: ZonedProblem
    allocation: np.ndarray
    status: Status
    objective: float
    bound: float
    gap: float
    runtime: float
    compile_time: float
    solver: str
    evaluation: ZonedEvaluation
    model_size: tuple[int, int] = (0, 0)
    extra: dict = field(default_factory=dict)

    def zone_of_units(self) -> np.ndarray:
        """Zone name per unit ('' for none)."""
        names = np.array(("",) + self.problem.zones.names, dtype=object)
        return names[self.allocation + 1]


def zoned_full_start(model, x: np.ndarray, n: int) -> np.ndarray:
    """Every column of a compiled zoned model from the decisions ``x`` (zone-major): the
    ``"in_a_zone"`` columns and the pair products over ``[x, y]``."""
    out = np.zeros(model.n_cols)
    out[: x.size] = x
    v = x
    if "in_a_zone" in model.col_tags():
        y = x.reshape(-1, n).sum(axis=0)
        out[model.cols("in_a_zone")] = y
        v = np.concatenate([x, y])
    if "pair_ij" in model.info:
        i, j = model.info["pair_ij"]
        out[model.cols("pair_aux")] = v[i] * v[j]
    elif "pair_compact" in model.info:
        units, S = model.info["pair_compact"]
        out[model.cols("pair_compact")] = v[units] * (S[units] @ v)
    known = {"x", "in_a_zone", "pair_aux", "pair_compact"}
    return out if set(model.col_tags()) <= known else x


def _phase(progress, text: str) -> None:
    if progress is not None and hasattr(progress, "phase"):
        progress.phase(text)


LP_SHARE = 0.4
"""Share of the time left for the LP relaxation and the MIP restricted to it: the LP bound is what
proves a zoned plan, and with boundary penalties the LP of a 10,000-unit, 3-zone problem takes
about 20 s on two cores (a share of 0.25 left it unfinished at a 120 s limit, with no usable
bound)."""


def _first_allocation(problem: ZonedProblem, model, solver: str, gap: float, deadline: Deadline, threads, progress):
    """The best of the annealed allocation (minimum set with penalties: 20% of the time), the
    LP-restricted allocation (:data:`LP_SHARE` of what is left) and, for minimum-set problems, the best
    single-zone plan (20% of what is left); with the LP bound (minimisation form)."""
    candidates = []
    if problem.objective.name == "min_set" and problem.pair_parts():
        share = deadline.share(0.2)
        _phase(progress, "simulated annealing over zone allocations, with penalised shortfalls")
        annealed = anneal_zoned(problem, model, deadline_at=None if share is None else time.perf_counter() + share)
        ev = None if annealed is None else evaluate_zoned(problem, annealed)
        if ev is not None and ev.feasible:
            candidates.append(annealed)
            _phase(progress, f"annealed allocation: objective {ev.objective:,.6g}")
    share = deadline.share(LP_SHARE)
    _phase(progress, "LP relaxation over the zones, then the MIP restricted to what it uses")
    lp_alloc, lp_bound = lp_restricted_start(problem, model, solver, gap,
                                             None if share is None else time.perf_counter() + share, threads)
    candidates += [lp_alloc] if lp_alloc is not None else []
    if problem.objective.name == "min_set":
        share = deadline.share(0.2)
        _phase(progress, "the best plan with every chosen unit in one zone")
        single = zoned_start(problem, gap, None if share is None else time.perf_counter() + share)
        if single is not None:
            candidates.append(single)
    if not candidates:
        return None, lp_bound
    objectives = [evaluate_zoned(problem, a).objective for a in candidates]
    k = int(np.argmin([model.sense * o for o in objectives]))
    best = candidates[k]
    _phase(progress, f"first allocation: objective {objectives[k]:,.6g}"
                     + (f", LP bound {model.sense * lp_bound:,.6g}" if np.isfinite(lp_bound) else ""))
    return best, lp_bound


def solve_zoned(problem: ZonedProblem, solver: str = "highs", *, gap: float = 0.0, time_limit: float | None = None,
                threads: int | None = None, verbose: bool = False, progress=None, warm_start=None,
                formulation: str = "pairs", deadline: Deadline | None = None) -> ZonedSolution:
    """Compile, solve and verify ``problem`` (module docstring). ``warm_start``: an allocation
    (default None: the best single-zone plan; False: none)."""
    deadline = deadline or Deadline(None if time_limit is None else float(time_limit))
    reasons = zoned_infeasibility_reasons(problem)
    if reasons:
        raise Infeasible("the zoned problem is infeasible:", reasons)
    t0 = time.perf_counter()
    model = compile_zoned(problem, formulation)
    return solve_zoned_model(problem, model, solver, gap=gap, threads=threads, verbose=verbose, progress=progress,
                             warm_start=warm_start, deadline=deadline, compile_time=time.perf_counter() - t0)


def solve_zoned_model(problem: ZonedProblem, model, solver: str = "highs", *, gap: float = 0.0,
                      threads: int | None = None, verbose: bool = False, progress=None, warm_start=None,
                      deadline: Deadline | None = None, compile_time: float = 0.0) -> ZonedSolution:
    """Solve a model compiled from ``problem`` (possibly with rows added, e.g. a portfolio's
    cuts) and verify the allocation against ``problem``; see :func:`solve_zoned`."""
    deadline = deadline or Deadline(None)
    n, z = problem.data.n_pu, problem.zones.n_zones
    first_allocation = warm_start is None  # False: no start at all (a portfolio's later solves)
    warm_start = None if warm_start is False else warm_start
    lp_bound = -np.inf
    if first_allocation:
        warm_start, lp_bound = _first_allocation(problem, model, solver, gap, deadline, threads, progress)
        _phase(progress, "branch and bound over the zones: objective of the incumbent, best bound, gap")
    options = SolveOptions(gap=gap, time_limit=deadline.remaining(), threads=threads, verbose=verbose,
                           progress=progress, deadline_at=deadline.at)
    if warm_start is not None:
        s = as_allocation(problem, warm_start)
        x = np.zeros((z, n))
        x[s[s >= 0], np.flatnonzero(s >= 0)] = 1.0
        options = replace(options, warm_start=zoned_full_start(model, x.ravel(), n))
    if solver == "highs" and options.deadline_at is not None and model.n_rows >= GUARDED_ROWS:
        res = solve_highs_guarded(model, options)  # stopped at the deadline even inside HiGHS's setup
    else:
        res = solve_with(model, solver, options)
    if res.status is Status.INFEASIBLE:
        raise Infeasible("the solver proved the zoned problem infeasible: the targets, zone targets, coverage "
                         "and floors, budget and locks conflict together",
                         ["relax a zone target or floor, or lower the coverage"])
    if res.x is None and warm_start is not None and res.status in (Status.TIME_LIMIT, Status.NO_SOLUTION):
        start = as_allocation(problem, warm_start)  # stopped before reporting a solution: keep the start
        x = np.zeros((z, n))
        x[start[start >= 0], np.flatnonzero(start >= 0)] = 1.0
        res.x, res.status = zoned_full_start(model, x.ravel(), n), Status.TIME_LIMIT
        res.objective = float(model.c @ res.x) + model.offset
        res.bound = res.bound if np.isfinite(res.bound) else -np.inf
        res.gap = float("inf") if not np.isfinite(res.bound) else max(0.0, (res.objective - res.bound)
                                                                      / max(abs(res.objective), 1e-12))
    if res.x is None:
        raise SolverError(f"{res.solver} stopped ({res.status.value}) before finding any allocation; raise the "
                          "time limit or relax the gap")
    if np.isfinite(lp_bound) and not (np.isfinite(res.bound) and res.bound >= lp_bound):
        res.bound = lp_bound  # the LP bound holds for the whole solve
        res.gap = relative_gap(res.objective, lp_bound)
    X = res.x[: n * z].reshape(z, n) > 0.5
    if (X.sum(axis=0) > 1).any():
        raise SolverError(f"{res.solver} put a unit in two zones")
    alloc = np.where(X.any(axis=0), X.argmax(axis=0), -1).astype(np.int64)
    ev = evaluate_zoned(problem, alloc)
    if ev.violations:
        raise SolverError(f"{res.solver} returned an allocation that fails verification: " + "; ".join(ev.violations[:5]))
    status = res.status
    if status is Status.OPTIMAL and not res.gap <= OPTIMAL_GAP:
        status = Status.WITHIN_GAP  # never "optimal" for a gap-limited answer
    return ZonedSolution(problem, alloc, status, ev.objective, model.sense * res.bound, res.gap, res.runtime,
                         compile_time, res.solver, ev, (model.n_rows, model.n_cols),
                         {"solver_objective": model.sense * res.objective})
