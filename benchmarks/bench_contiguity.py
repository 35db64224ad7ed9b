"""Contiguity benchmark: separator cuts (the cut loop) vs the single-commodity flow, by grid size.

Random square grids (costs 1-10, 3 features at 40% occupancy, 20% relative targets), minimum
set with the contiguity constraint, gap 0, the same time limit per solve, every method back to
back on this machine (cuts with HiGHS: the cut loop; cuts with SCIP: the same LP rounds and
annealer, then one branch and cut with the cuts inside SCIP's tree; flow with HiGHS), each
warm-started as ``scplan run`` does (LP-guided start; for cuts joined into one piece). Prints a
Markdown table (and writes it with --out).

Usage: python benchmarks/bench_contiguity.py [--sides 10 15 20 30 50 100] [--time-limit 60]
       [--methods cuts cuts:scip flow] [--out FILE]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np


def main(argv: list[str] | None = None) -> int:
    import scp
    from scp.app.bench import publish

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sides", type=int, nargs="+", default=[10, 15, 20, 30, 50, 100])
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--methods", nargs="+", default=["cuts", "cuts:scip", "flow"],
                    help="cuts (HiGHS, the cut loop), cuts:scip (SCIP, cuts inside its tree), flow (HiGHS)")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    rows = []
    for side in args.sides:
        rng = np.random.default_rng(side)
        n = side * side
        data = scp.PlanningData.from_arrays(
            cost=rng.uniform(1, 10, n),
            features={f"f{j}": rng.random(n) * (rng.random(n) < 0.4) for j in range(3)},
            boundary=scp.boundary.grid_boundary(np.ones((side, side), bool)))
        base = scp.Problem(data).relative_targets(0.2)
        free = base.solve()
        for method in args.methods:
            formulation, _, solver = method.partition(":")
            t0 = time.perf_counter()
            try:
                sol = scp.solve(base.contiguity(method=formulation), solver or "highs", time_limit=args.time_limit,
                                warm_start="heuristic")
            except scp.ScpError as exc:  # e.g. no solution within the limit
                rows.append([f"{side}x{side}", f"{n}", method, f"{free.cost:.1f}", f"{free.evaluation.n_patches}",
                             "-", "-", type(exc).__name__, "-", "-", f"{time.perf_counter() - t0:.1f}"])
                print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
                continue
            wall = time.perf_counter() - t0
            ev = sol.evaluation
            assert ev.feasible and ev.n_patches == 1
            rows.append([f"{side}x{side}", f"{n}", method, f"{free.cost:.1f}", f"{free.evaluation.n_patches}",
                         f"{sol.cost:.1f}", f"{sol.cost / free.cost - 1:.1%}", sol.status.value, f"{sol.gap:.2%}",
                         f"{sol.bound:.1f}", f"{wall:.1f}"])
            print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    head = ["grid", "PUs", "method", "cost free", "patches free", "cost contiguous", "price of contiguity",
            "status", "gap", "bound", "wall_s"]
    publish(f"gap 0, time limit {args.time_limit:g} s per solve, LP-guided warm start", head, rows, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
