"""Contiguity benchmark: solve time of the single-commodity flow formulation vs grid size.

Random square grids (costs 1-10, 3 features at 40% occupancy, 20% relative targets), minimum
set with the contiguity constraint, HiGHS, gap 0, time limit per solve. Prints a Markdown
table (and writes it with --out).

Usage: python benchmarks/bench_contiguity.py [--sides 4 6 8 10 12 15] [--time-limit 120] [--out FILE]
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
    ap.add_argument("--sides", type=int, nargs="+", default=[4, 6, 8, 10, 12, 15])
    ap.add_argument("--time-limit", type=float, default=120.0)
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
        t0 = time.perf_counter()
        sol = base.contiguity().solve(time_limit=args.time_limit)
        wall = time.perf_counter() - t0
        ev = sol.evaluation
        assert ev.feasible and ev.n_patches == 1
        rows.append([f"{side}x{side}", f"{n}", f"{free.cost:.1f}", f"{free.evaluation.n_patches}", f"{sol.cost:.1f}",
                     f"{sol.cost / free.cost - 1:.1%}", sol.status.value, f"{sol.gap:.2%}", f"{sol.runtime:.2f}",
                     f"{wall:.2f}"])
        print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    head = ["grid", "PUs", "cost free", "patches free", "cost contiguous", "price of contiguity", "status",
            "gap", "solve_s", "total_s"]
    publish(f"HiGHS, gap 0, time limit {args.time_limit:g} s", head, rows, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
