"""Zones at scale: compile time, memory and time to a 1% gap for generated grids x 3 zones.

A square grid of ``n`` planning units (100k by default) x 50 spatially clustered features, three
zones: strict (cost x 1, counts fully), OECM (cost x 0.4, counts 0.5, only on half the
landscape) and restoration (cost x 0.2, counts 0.3, not Target 3); 30% targets over all zones,
10% of every feature strictly protected, 30% Target 3 coverage, at least 10% strict; optionally a
boundary penalty (outline of all zones). Each case runs in its own process so that peak memory
is its own. Columns: model size, compile time, peak traced memory during compile, maximum
resident memory, solve time (single-zone starts + HiGHS), status, gap, objective, verified.

Usage: python benchmarks/bench_zones.py [--sizes 100000] [--penalties 0 0.5] [--time-limit 600]
       [--gap 0.01] [--out benchmarks/results/zones.md]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sys
import time
import tracemalloc

import numpy as np

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))


def make_problem(n: int, penalty: float, n_features: int = 50, seed: int = 0):
    import scp
    from scp.data.zones import Zones
    from scp.problem.zoned import ZonedProblem

    side = int(round(np.sqrt(n)))
    n = side * side
    rng = np.random.default_rng(seed)
    yy, xx = np.divmod(np.arange(n), side)
    feats = {}
    for j in range(n_features):
        cx, cy, r = rng.uniform(0, side), rng.uniform(0, side), rng.uniform(0.05, 0.25) * side
        v = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / r**2) * (rng.random(n) < 0.6)
        feats[f"f{j}"] = np.where(v >= 0.01, np.round(v, 3), 0.0)  # sparse, no denormal amounts
    smooth = np.sin(xx / side * 6 + rng.uniform(0, 6)) * np.cos(yy / side * 5) + 2
    cost = smooth * rng.uniform(0.8, 1.2, n)
    data = scp.PlanningData.from_arrays(cost=cost, features=feats,
                                        boundary=scp.boundary.grid_boundary(np.ones((side, side), bool)))
    contrib = np.tile([1.0, 0.5, 0.3], (n_features, 1))
    zones = Zones(("strict", "oecm", "restoration"), cost[:, None] * np.array([1.0, 0.4, 0.2]), contrib,
                  target3=[True, True, False])
    p = (ZonedProblem.of(data, zones).relative_targets(0.3).zone_targets_relative("strict", 0.1)
         .coverage(0.3).coverage(0.1, zones="strict").locked_out(xx > side // 2, "oecm"))
    if penalty > 0:
        p = p.boundary_penalty(penalty)
    return p


def case(n: int, penalty: float, gap: float, time_limit: float, queue) -> None:
    from scp.model.zoned import compile_zoned
    from scp.solving.zoned import solve_zoned

    p = make_problem(n, penalty)
    tracemalloc.start()
    t0 = time.perf_counter()
    model = compile_zoned(p)
    compile_s = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    t0 = time.perf_counter()
    sol = solve_zoned(p, gap=gap, time_limit=time_limit)
    solve_s = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put([f"{p.data.n_pu:,} x 3", f"{penalty:g}", f"{model.n_rows:,} x {model.n_cols:,}", f"{compile_s:.1f}",
               f"{peak:,.0f}", f"{rss:,.0f}", f"{solve_s:.0f}", sol.status.value, f"{sol.gap:.2%}",
               f"{sol.objective:,.1f}", "yes" if sol.evaluation.feasible else "NO"])


def main(argv=None) -> int:
    from scp.app.bench import publish

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    ap.add_argument("--penalties", type=float, nargs="+", default=[0.0])
    ap.add_argument("--gap", type=float, default=0.01)
    ap.add_argument("--time-limit", type=float, default=600.0)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    rows = []
    ctx = mp.get_context("spawn")
    for n in args.sizes:
        for pen in args.penalties:
            q = ctx.Queue()
            proc = ctx.Process(target=case, args=(n, pen, args.gap, args.time_limit, q))
            proc.start()
            proc.join()
            rows.append(q.get() if not q.empty() else [f"{n:,} x 3", f"{pen:g}"] + ["failed"] * 9)
            print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    head = ["units x zones", "penalty", "rows x columns", "compile s", "compile peak MB", "max RSS MB", "solve s",
            "status", "gap", "objective", "verified"]
    publish(f"Zones: strict/OECM/restoration, 50 features, 30% targets over zones, 10% strict per feature, "
            f"30% Target 3, >= 10% strict; HiGHS, gap {args.gap:g}, time limit {args.time_limit:g} s", head, rows,
            args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
