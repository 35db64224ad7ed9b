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


def output_reserve(limit: float | None) -> float:
    """Seconds kept for verifying and writing results after a solve under ``limit``: 8%, at
    least 1.5 s (maps and grids of ~10^4 units take about a second), at most 20 s."""
    return 0.0 if limit is None else min(20.0, max(1.5, 0.08 * float(limit)))
