"""One deadline for a whole solve (and the command around it).

``time_limit`` is a promise about the whole call: :class:`Deadline` is created when the call (or
the ``scplan`` command) starts, every phase asks it for its share of what remains, and the caller
keeps ``reserve`` seconds for what comes after the solve (writing the results).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Deadline:
    """``limit`` seconds from ``start`` (a :func:`time.perf_counter` value); ``None``: no limit."""

    limit: float | None
    reserve: float = 0.0
    start: float = field(default_factory=time.perf_counter)

    @property
    def at(self) -> float | None:
        """The :func:`time.perf_counter` value by which the solve must be done."""
        return None if self.limit is None else self.start + self.limit - self.reserve

    def remaining(self) -> float | None:
        """Seconds left for solving (never negative); ``None`` without a limit."""
        return None if self.limit is None else max(0.0, self.at - time.perf_counter())

    def share(self, fraction: float, minimum: float = 0.0) -> float | None:
        """``fraction`` of the remaining time (at least ``minimum``, at most all of it)."""
        left = self.remaining()
        return None if left is None else min(left, max(minimum, fraction * left))

    def expired(self, margin: float = 0.0) -> bool:
        left = self.remaining()
        return left is not None and left <= margin


MIN_SOLVE = 0.6
"""Seconds a command's solve gets even when its time limit is shorter than start-up and writing
(the command then ends within the limit's grace instead of with an answer of no search at all)."""
EXIT_MARGIN = 0.3
"""Seconds kept of the grace, after writing, for the process to end."""


def output_reserve(limit: float | None, n_units: int | None = None) -> float:
    """Seconds kept for verifying and writing results after a solve under ``limit``: 8%, at
    least 1.5 s (maps and grids of ~10^4 units take about a second), at most 20 s. With
    ``n_units`` (a Marxan project's results: a map of tiles, tables and a report) at least
    0.5 s + 80 us per unit instead (measured on this project's 2-core machine: 0.6 s for 2,000
    units, 0.8 s for 10,000)."""
    if limit is None:
        return 0.0
    floor = 1.5 if n_units is None else 0.5 + 8e-5 * n_units
    return min(20.0, max(floor, 0.08 * float(limit)))


def command_deadline(limit: float | None, start: float, reserve: float) -> Deadline:
    """The deadline of a command that started at ``start``: ``limit`` seconds with ``reserve`` kept
    for writing. When less than :data:`MIN_SOLVE` is left to solve (a limit shorter than
    start-up and writing), the solve gets up to :data:`MIN_SOLVE` s, no more than lets writing
    end :data:`EXIT_MARGIN` before the end of the limit's grace (``max(2 s, 5%)``): the deadline
    then lies past ``start + limit - reserve`` (the reserve is lowered, below zero if need be)."""
    deadline = Deadline(limit, reserve=reserve, start=start)
    if limit is None or deadline.remaining() >= MIN_SOLVE:
        return deadline
    now = time.perf_counter()
    latest = start + limit + max(2.0, 0.05 * limit) - EXIT_MARGIN - reserve  # writing still ends within the grace
    slot = min(MIN_SOLVE, max(deadline.remaining(), latest - now))
    deadline.reserve = start + limit - (now + slot)
    return deadline
