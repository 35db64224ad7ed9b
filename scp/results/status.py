"""The honest status of a solve: one enum for every backend and every phase."""

from __future__ import annotations

import enum


class Status(str, enum.Enum):
    """Outcome of a solve.

    OPTIMAL: proven optimal within the requested gap. TIME_LIMIT: stopped at the time
    limit with an incumbent (see ``gap``). NO_SOLUTION: stopped before any solution was
    found. INFEASIBLE / UNBOUNDED: proven. ERROR: the solver failed.
    """

    OPTIMAL = "optimal"
    TIME_LIMIT = "time_limit"
    NO_SOLUTION = "no_solution"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    ERROR = "error"

    @property
    def has_solution(self) -> bool:
        return self in (Status.OPTIMAL, Status.TIME_LIMIT)
