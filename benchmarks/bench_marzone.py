"""Marxan with Zones projects at scale: write, read, solve exactly and score with MarZone's objective.

The generated zoned problems of ``bench_zones.py`` (strict / OECM / restoration, 50 features,
zone targets, OECM only on half the landscape) without the Target 3 coverage rows (MarZone has
no coverage constraint), optionally with a boundary penalty, are written as MarZone 4 projects
(``scp.app.marxan.zones_write``; an ``available`` zone stands for "no zone"), then ``scplan
marxan`` runs on the folder in its own process, as a user would. Columns: units x zones, the
project's size on disk, the command's wall time, the MarZone score it reports, the proven gap,
and whether the score equals the zoned problem's objective solved directly (same optimum up to
the gap).

Usage: python benchmarks/bench_marzone.py [--sizes 10000 50000] [--penalty 0.5] [--gap 0.01]
       [--time-limit 300] [--out benchmarks/results/marzone.md]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def folder_mb(path: str) -> float:
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(path) for f in fs) / 2**20


def case(n: int, penalty: float, gap: float, time_limit: float) -> list[str]:
    from bench_zones import make_problem
    from scp.app.marxan.zones_write import write_marzone_project

    p = dataclasses.replace(make_problem(n, penalty), coverages=())
    with tempfile.TemporaryDirectory(prefix="scp-marzone-") as tmp:
        write_marzone_project(p, os.path.join(tmp, "project"))
        size = folder_mb(os.path.join(tmp, "project"))
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "scp.app.cli", "marxan", os.path.join(tmp, "project"), "--out",
                               os.path.join(tmp, "res"), "--gap", str(gap), "--time-limit", str(time_limit),
                               "--quiet"], capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            return [f"{p.data.n_pu:,} x 4", f"{penalty:g}", f"{size:.1f}", f"{wall:.0f}", "failed", "-", "-",
                    proc.stderr.strip().splitlines()[-1][:80]]
        with open(os.path.join(tmp, "res", "summary.json")) as fh:
            s = json.load(fh)
    from scp.solving.zoned import solve_zoned

    direct = solve_zoned(p, gap=gap, time_limit=time_limit)
    score = s["marzone_score"] - s["constant_in_score"]
    lo = max(direct.bound, s["bound"])
    agree = abs(score - direct.objective) <= max(gap, 1e-9) * max(abs(score), abs(direct.objective)) + 1e-6
    return [f"{p.data.n_pu:,} x 4", f"{penalty:g}", f"{size:.1f}", f"{wall:.0f}", f"{s['marzone_score']:,.1f}",
            f"{s['gap']:.2%}", f"{direct.objective:,.1f} ({direct.gap:.2%})",
            "yes" if agree and lo <= min(score, direct.objective) * (1 + 1e-9) else "NO"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    ap.add_argument("--penalty", type=float, default=0.5)
    ap.add_argument("--gap", type=float, default=0.01)
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    head = ["units x zones", "penalty", "project (MB)", "scplan marxan wall (s)", "MarZone score", "gap",
            "zoned problem solved directly (gap)", "agree"]
    rows = [case(n, args.penalty, args.gap, args.time_limit) for n in args.sizes]
    lines = [f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
             f"gap {args.gap:g}, time limit {args.time_limit:g} s per command", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
