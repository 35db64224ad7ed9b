"""The honest status of a solve: one enum for every backend and every phase."""

from __future__ import annotations

import enum

OPTIMAL_GAP = 1e-6
"""A selection is called optimal only when its proven relative gap is at most this (the solvers'
own optimality tolerances); a larger proven gap within the requested one is ``WITHIN_GAP``."""


class Status(str, enum.Enum):
    """Outcome of a solve.

    OPTIMAL: proven optimal (proven gap <= :data:`OPTIMAL_GAP`). WITHIN_GAP: proven within the
    requested gap, which is larger. TIME_LIMIT: stopped at the time limit with a verified
    selection (see ``gap``). NO_SOLUTION: stopped before any solution was found. INFEASIBLE /
    UNBOUNDED: proven. ERROR: the solver failed.
    """

    OPTIMAL = "optimal"
    WITHIN_GAP = "within_gap"
    TIME_LIMIT = "time_limit"
    NO_SOLUTION = "no_solution"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    ERROR = "error"

    @property
    def has_solution(self) -> bool:
        return self in (Status.OPTIMAL, Status.WITHIN_GAP, Status.TIME_LIMIT)

    @property
    def proven(self) -> bool:
        """Whether the selection is proven within the requested gap."""
        return self in (Status.OPTIMAL, Status.WITHIN_GAP)
