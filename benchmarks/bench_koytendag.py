"""Koytendag scenarios as written: solve time to each scenario's own gap (0.1%) and to 1%.

The four scenarios of the reference case (joint 30x30, national 30x30, connectivity penalty,
double boundary penalty) solved as ``scplan run`` solves them (LP-guided warm start) and without
the warm start, one after the other in this process. These are the long solves that the test
suite replaces by 1% solves (``tests/test_koytendag.py``). Prints a Markdown table (and writes it
with --out).

Usage: python benchmarks/bench_koytendag.py [--gaps 0.001 0.01] [--warm heuristic none] [--out FILE]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SCENARIOS = ["koytendag_30x30", "koytendag_national", "koytendag_connectivity", "koytendag_blm_double"]


def main(argv: list[str] | None = None) -> int:
    import scp
    from scp.app.bench import publish
    from scp.app.scenario.build import build_problem, load_data, solver_options
    from scp.app.scenario.load import load_scenario

    sys.path.insert(0, os.path.join(ROOT, "examples", "koytendag"))
    import koytendag

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", nargs="+", default=SCENARIOS)
    ap.add_argument("--gaps", type=float, nargs="+", default=[0.001, 0.01])
    ap.add_argument("--warm", nargs="+", default=["heuristic", "none"], choices=["heuristic", "none"])
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    koytendag.write(os.path.join(ROOT, "examples", "koytendag", "data"), 1.0)
    rows = []
    for name in args.scenarios:
        s = load_scenario(os.path.join(ROOT, "scenarios", f"{name}.yaml")).scenario
        data, marxan = load_data(s)
        problem = build_problem(s, data, marxan)
        for gap in args.gaps:
            for warm in args.warm:
                opts = solver_options(s, {"gap": gap})
                opts["warm_start"] = None if warm == "none" else warm
                t0 = time.perf_counter()
                sol = scp.solve(problem, **opts)
                wall = time.perf_counter() - t0
                assert sol.evaluation.feasible  # verified from the selection by scp.evaluate
                rows.append([name, f"{gap:g}", warm, sol.status.value, f"{sol.gap:.3%}", f"{sol.objective:,.2f}",
                             f"{sol.bound:,.2f}", sol.solver, f"{wall:.1f}"])
                print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    head = ["scenario", "gap asked", "warm start", "status", "gap proven", "objective", "bound", "found by",
            "wall_s"]
    publish(f"{data.n_pu:,} planning units; HiGHS, default threads, time limit of the scenario", head, rows,
            args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
