"""What every solver backend reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ...results.status import Status


@dataclass(frozen=True)
class SolveOptions:
    """Solver settings shared by every backend.

    gap: relative optimality gap at which to stop (0 = prove optimality).
    time_limit: seconds, or ``None`` for no limit.
    threads: number of threads, or ``None`` for the solver's default.
    verbose: print the solver's log.
    progress: callback ``f(elapsed_s, incumbent, bound, gap)`` (HiGHS and SCIP).
    warm_start: a 0/1 selection over the PUs (the solver completes the other columns), or a full
        column vector (see :func:`scp.solving.heuristic.full_start`), offered as a starting solution.
    deadline_at: a :func:`time.perf_counter` value at which the solve is stopped whatever the
        solver's own clock says (HiGHS: through its callbacks), keeping its incumbent.
    stop_on_solution: ``f(x) -> bool`` called on every improving solution (HiGHS only); the solve
        stops (status ``TIME_LIMIT``, that solution kept) once it returns True. The cut loop uses it
        to stop a round at its first solution that needs cuts.
    lazy: rows generated during the solve (:class:`scp.solving.backends.scip.LazyRows`), added
        inside the branch-and-cut tree (SCIP only; the other backends refuse it).
    """

    gap: float = 0.0
    time_limit: float | None = None
    threads: int | None = None
    verbose: bool = False
    progress: Callable[[float, float, float, float], None] | None = None
    warm_start: np.ndarray | None = None
    deadline_at: float | None = None
    stop_on_solution: Callable[[np.ndarray], bool] | None = None
    lazy: object | None = None


@dataclass
class SolverResult:
    """Raw result in the model's minimisation form (objective includes the offset)."""

    status: Status
    x: np.ndarray | None
    objective: float
    bound: float
    gap: float
    runtime: float
    solver: str
    log: str = ""
    build_time: float = 0.0
    extra: dict = field(default_factory=dict)


def relative_gap(objective: float, bound: float) -> float:
    """``|objective - bound| / max(|objective|, 1e-10)``, the convention of HiGHS and CBC."""
    if not (np.isfinite(objective) and np.isfinite(bound)):
        return float("inf")
    return abs(objective - bound) / max(abs(objective), 1e-10)
