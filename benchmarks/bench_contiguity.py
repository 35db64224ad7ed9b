"""Contiguity benchmark: separator cuts (the cut loop) vs the single-commodity flow, by grid size.

Random square grids (costs 1-10, 3 features at 40% occupancy, 20% relative targets), minimum
set with the contiguity constraint, gap 0, the same time limit per solve, every method back to
back on this machine (cuts with HiGHS: the cut loop; cuts with SCIP: the same LP rounds and
annealer, then one branch and cut with the cuts inside SCIP's tree; flow with HiGHS), each
warm-started as ``scplan run`` does (LP-guided start; for cuts joined into one piece). With
``--koytendag`` the Koytendag reference (``scenarios/koytendag_30x30.yaml``, 12,719 units, reserves
locked in) as one connected network follows, each method at the gap and time limit of
``scenarios/koytendag_connected.yaml`` (1%, 600 s; ``--koytendag-time-limit`` overrides), its
"objective free" the reference plan solved as its own scenario asks (gap 0.1%). Prints a
Markdown table (and writes it with --out).

Usage: python benchmarks/bench_contiguity.py [--sides 10 15 20 30 50 100] [--time-limit 60]
       [--methods cuts cuts:scip flow] [--koytendag] [--koytendag-time-limit S] [--out FILE]
       (the Koytendag rows alone: --sides --koytendag --out benchmarks/results/contiguity_koytendag.md;
       time to prove by size: --sides 12 15 20 30 --time-limit 600 --methods cuts:scip
       --out benchmarks/results/contiguity_600s.md)
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def main(argv: list[str] | None = None) -> int:
    import scp
    from scp.app.bench import publish

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sides", type=int, nargs="*", default=[10, 15, 20, 30, 50, 100],
                    help="grid sides (none: only the Koytendag rows, with --koytendag)")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--methods", nargs="+", default=["cuts", "cuts:scip", "flow"],
                    help="cuts (HiGHS, the cut loop), cuts:scip (SCIP, cuts inside its tree), flow (HiGHS)")
    ap.add_argument("--koytendag", action="store_true", help="add the Koytendag reference as one network")
    ap.add_argument("--koytendag-time-limit", type=float, default=None)
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
        rows += compare(f"{side}x{side}", base, base.solve(), args.methods, {"gap": 0.0, "time_limit": args.time_limit})
    settings = f"gap 0, time limit {args.time_limit:g} s per solve" if args.sides else "no grids"
    settings += ", LP-guided warm start"
    if args.koytendag:
        base, free, opts = koytendag_reference(args.koytendag_time_limit)
        rows += compare("Koytendag", base, free, args.methods, opts)
        settings += f"; Koytendag: gap {opts['gap']:g}, time limit {opts['time_limit']:g} s"
    head = ["grid", "PUs", "method", "objective free", "patches free", "objective contiguous", "price of contiguity",
            "status", "gap", "bound", "wall_s"]
    publish(settings, head, rows, args.out)
    return 0


def compare(name: str, base, free, methods: list[str], opts: dict) -> list[list[str]]:
    """One row per method: ``base`` with contiguity of the whole selection, solved with ``opts``
    (gap, time limit) from the LP-guided start; every plan verified connected and feasible."""
    import scp

    rows = []
    n = base.data.n_pu
    assert free.evaluation.feasible  # the plan without contiguity, verified by scp.evaluate
    for method in methods:
        formulation, _, solver = method.partition(":")
        t0 = time.perf_counter()
        try:
            sol = scp.solve(base.contiguity(method=formulation), solver or "highs", warm_start="heuristic", **opts)
        except scp.ScpError as exc:  # e.g. no solution within the limit
            rows.append([name, f"{n}", method, f"{free.objective:,.1f}", f"{free.evaluation.n_patches}",
                         "-", "-", type(exc).__name__, "-", "-", f"{time.perf_counter() - t0:.1f}"])
            print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
            continue
        wall = time.perf_counter() - t0
        ev = sol.evaluation
        assert ev.feasible and ev.n_patches == 1  # verified from the selection by scp.evaluate
        rows.append([name, f"{n}", method, f"{free.objective:,.1f}", f"{free.evaluation.n_patches}",
                     f"{sol.objective:,.1f}", f"{sol.objective / free.objective - 1:.1%}", sol.status.value,
                     f"{sol.gap:.2%}", f"{sol.bound:,.1f}", f"{wall:.1f}"])
        print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    return rows


def koytendag_reference(time_limit: float | None) -> tuple:
    """The reference problem (its data written if missing), its plan solved as its scenario asks
    (``scenarios/koytendag_30x30.yaml``: gap 0.1%) and the gap and time limit of the connected
    scenario."""
    import scp

    from scp.app.scenario.build import build_problem, load_data, solver_options
    from scp.app.scenario.load import load_scenario

    sys.path.insert(0, os.path.join(ROOT, "examples", "koytendag"))
    import koytendag

    koytendag.write(os.path.join(ROOT, "examples", "koytendag", "data"), 1.0)
    s = load_scenario(os.path.join(ROOT, "scenarios", "koytendag_30x30.yaml")).scenario
    data, marxan = load_data(s)
    connected = load_scenario(os.path.join(ROOT, "scenarios", "koytendag_connected.yaml")).scenario
    opts = solver_options(connected, {} if time_limit is None else {"time_limit": time_limit})
    problem = build_problem(s, data, marxan)
    return problem, scp.solve(problem, **solver_options(s)), {"gap": opts["gap"], "time_limit": opts["time_limit"]}


if __name__ == "__main__":
    sys.exit(main())
