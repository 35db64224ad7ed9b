"""scp against Marxan 4 on the same Marxan projects, back to back on this machine.

For each project Marxan runs as its input.dat says (NUMREPS x NUMITNS; Marxan 4 from
``../shared/tools/marxan/marxan`` or ``MARXAN_BIN``) and its best solution is scored by
``scp.evaluate`` with Marxan's own boundary rule (cost + BLM x boundary). Then scp solves the same
project (``scp.read_marxan`` + ``scp.marxan_problem``, warm start, gap 0) with Marxan's wall time as
its time limit, and again with 60 s: score, proven bound and gap. Scores are comparable only
when both meet every target (the ``missed`` column).

Projects: prioritizr's Marxan example at BLM 0 and 1 (``../shared/data/marxan``), and the
Koytendag reference problem written as a Marxan project at its penalty and at twice it.

Usage: python benchmarks/bench_vs_marxan.py [--long 60] [--projects NAME ...] [--out FILE]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SHARED = os.path.join(ROOT, "..", "shared")


def with_blm(src: str, dst: str, blm: float) -> str:
    shutil.copytree(src, dst)
    path = os.path.join(dst, "input.dat")
    text = open(path).read()
    text = re.sub(r"(?m)^BLM\s+\S+", f"BLM {blm:g}", text) if re.search(r"(?m)^BLM\s", text) else text + f"\nBLM {blm:g}\n"
    open(path, "w").write(text)
    return dst


def koytendag_project(dst: str, factor: float) -> str:
    from scp.app.marxan.write import write_marxan_project
    from scp.app.scenario.build import build_problem, load_data
    from scp.app.scenario.load import load_scenario

    sys.path.insert(0, os.path.join(ROOT, "examples", "koytendag"))
    import koytendag

    koytendag.write(os.path.join(ROOT, "examples", "koytendag", "data"), 1.0)
    s = load_scenario(os.path.join(ROOT, "scenarios", "koytendag_30x30.yaml")).scenario
    data, marxan = load_data(s)
    problem = build_problem(s, data, marxan)
    write_marxan_project(problem, dst, blm=factor * s.boundary.penalty)
    return dst


def main(argv: list[str] | None = None) -> int:
    import scp
    from scp.app.bench import publish
    from scp.app.marxan.run import find_marxan, run_marxan

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--long", type=float, default=60.0, help="the second, longer scp time limit (s)")
    ap.add_argument("--projects", nargs="+", default=None)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    binary = find_marxan(None) or os.path.join(SHARED, "tools", "marxan", "marxan")
    if not os.path.isfile(binary):
        print(f"Marxan not found ({binary}); set MARXAN_BIN", file=sys.stderr)
        return 2
    tmp = tempfile.mkdtemp(prefix="scp-vs-marxan-")
    example = os.path.join(SHARED, "data", "marxan", "prioritizr-example")
    projects = {
        "prioritizr example, BLM 0": lambda: with_blm(example, os.path.join(tmp, "ex0"), 0.0),
        "prioritizr example, BLM 1": lambda: with_blm(example, os.path.join(tmp, "ex1"), 1.0),
        "Koytendag, reference penalty": lambda: koytendag_project(os.path.join(tmp, "k1"), 1.0),
        "Koytendag, 2x penalty": lambda: koytendag_project(os.path.join(tmp, "k2"), 2.0),
    }
    rows = []
    try:
        for name, make in projects.items():
            if args.projects and not any(p in name for p in args.projects):
                continue
            folder = make()
            project = scp.read_marxan(folder)
            problem = scp.marxan_problem(project)
            m = run_marxan(binary, project)
            row = [name, f"{project.data.n_pu:,}", f"{project.blm:g}", f"{m['score']:,.2f}", str(m["missed_targets"]),
                   f"{m['time_s']:.1f}"]
            for limit in (m["time_s"], args.long):
                t0 = time.perf_counter()
                sol = scp.solve(problem, gap=0.0, time_limit=max(limit, 0.5), warm_start="heuristic")
                wall = time.perf_counter() - t0
                score = sol.objective  # cost + BLM x boundary, verified by scp.evaluate
                row += [f"{score:,.2f}", f"{(score / m['score'] - 1) if m['score'] else 0:+.2%}",
                        f"{sol.bound:,.2f}", f"{sol.gap:.2%}", f"{wall:.1f}"]
            rows.append(row)
            print(" | ".join(row), file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    head = ["project", "units", "BLM", "Marxan best", "Marxan missed", "Marxan s",
            "scp @Marxan s", "vs Marxan", "bound", "gap", "scp s",
            f"scp @{args.long:g} s", "vs Marxan", "bound", "gap", "scp s"]
    publish("Marxan 4.0.6 as input.dat says (NUMREPS x NUMITNS, 2 OpenMP threads); scp: HiGHS, warm start "
            "(LP, greedy, local search), time limit = Marxan's wall time, then the long limit", head, rows, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
