"""A solve under a command's deadline and progress display (both ``scplan marxan`` paths)."""

from __future__ import annotations

import argparse
import time

from ...solving.deadline import Deadline, output_reserve


def solve_under_deadline(args: argparse.Namespace, progress_factory, solve_with):
    """``solve_with(deadline, progress)`` under the command's deadline (``--time-limit`` counted
    from the command's start, with a reserve for writing results) and its progress display
    (phases, and the solver's rows from HiGHS and SCIP; closed afterwards, whatever happens)."""
    progress = None if args.quiet else progress_factory()
    try:
        deadline = Deadline(args.time_limit, reserve=output_reserve(args.time_limit),
                            start=getattr(args, "started", None) or time.perf_counter())
        return solve_with(deadline, progress)
    finally:
        if progress:
            progress.close()
