"""A solve under a command's deadline and progress display (both ``scplan marxan`` paths)."""

from __future__ import annotations

import argparse
import time

from ...solving.deadline import command_deadline, output_reserve


def solve_under_deadline(args: argparse.Namespace, progress_factory, solve_with, n_units: int | None = None):
    """``solve_with(deadline, progress)`` under the command's deadline (``--time-limit`` counted
    from the command's start, with a reserve for writing results, sized by ``n_units`` when
    given: :func:`~scp.solving.deadline.output_reserve`) and its progress display (phases, and the
    solver's rows from HiGHS and SCIP; closed afterwards, whatever happens)."""
    progress = None if args.quiet else progress_factory()
    try:
        deadline = command_deadline(args.time_limit, getattr(args, "started", None) or time.perf_counter(),
                                    output_reserve(args.time_limit, n_units))
        return solve_with(deadline, progress)
    finally:
        if progress:
            progress.close()
