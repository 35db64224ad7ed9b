"""scp against Marxan 4 on the same Marxan projects, back to back on this machine.

For each project Marxan runs as its input.dat says (NUMREPS x NUMITNS; Marxan 4 from
``../shared/tools/marxan/marxan`` or ``MARXAN_BIN``) and its best solution is scored by
``scp.evaluate`` with Marxan's own boundary rule (cost + BLM x boundary). Then scp solves the same
project (``scp.read_marxan`` + ``scp.marxan_problem``, warm start, gap 0) with Marxan's wall time as
its time limit, and again with each ``--long`` limit (60 s and 600 s by default; a longer limit
is not run again once a shorter one proved the optimum, its row repeats that answer): score,
proven bound and gap. Scores are comparable only when both meet every target (the ``missed``
column). "scp to match" is the smallest time limit of the ladder Marxan's wall time x 2^k
(k = -3 ... 0, then 1, 2, ... up to the longest limit) at which scp's verified score is at or below
Marxan's best, with that solve's wall time in brackets: an upper bound on the time to match,
within a factor of 2.

Projects: prioritizr's Marxan example at BLM 0 and 1 (``../shared/data/marxan``), the
Koytendag reference problem written as a Marxan project at its penalty and at twice it, and
generated boundary-heavy hexagon projects (2,000 and 10,000 units, 60-80 features, pairs listed
both ways, BLM set so the boundary term is 10x the cost term: :func:`hexagon_project`).

"scplan @Marxan s" is the command a user runs (``scplan marxan --time-limit`` Marxan's wall time,
a process of its own that also starts Python, reads the folder and writes every output): its
score and the process's wall time.

Usage: python benchmarks/bench_vs_marxan.py [--long 60 600] [--projects NAME ...] [--out FILE]
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


def hexagon_project(dst: str, rows: int, cols: int, n_features: int, seed: int, strength: float = 10.0) -> str:
    """A generated boundary-heavy Marxan project on a hexagon grid (unit sides, pairs listed both
    ways in bound.dat, self rows for the exposed sides). Costs 1-10 with spatial structure,
    features in clusters with 20-30% targets; BLM set so that, for the cheapest plan without a
    penalty, the boundary term is ``strength`` times the cost term."""
    import numpy as np
    import pandas as pd

    import scp

    rng = np.random.default_rng(seed)
    r, c = np.divmod(np.arange(rows * cols), cols)
    x = c + 0.5 * (r % 2)
    y = r * np.sqrt(3) / 2
    ids = np.arange(1, rows * cols + 1)
    smooth = sum(np.sin(x / rng.uniform(3, 12) + rng.uniform(0, 6)) * np.cos(y / rng.uniform(3, 12)) for _ in range(4))
    cost = np.round(1 + 9 * (smooth - smooth.min()) / np.ptp(smooth) * rng.uniform(0.7, 1.0, ids.size), 3)
    # neighbours in offset coordinates (odd rows shifted right)
    pairs = []
    for dr, dc_even, dc_odd in ((0, 1, 1), (1, -1, 0), (1, 0, 1)):
        rr = r + dr
        cc = c + np.where(r % 2 == 0, dc_even, dc_odd)
        ok = (rr < rows) & (cc >= 0) & (cc < cols)
        pairs.append(np.column_stack([ids[ok], rr[ok] * cols + cc[ok] + 1]))
    pairs = np.vstack(pairs)
    degree = np.bincount(pairs.ravel(), minlength=ids.size + 1)[1:]
    exposed = degree < 6
    bound = pd.DataFrame({"id1": np.concatenate([pairs[:, 0], pairs[:, 1], ids[exposed]]),
                          "id2": np.concatenate([pairs[:, 1], pairs[:, 0], ids[exposed]]),
                          "boundary": np.concatenate([np.ones(2 * len(pairs)), 6.0 - degree[exposed]])})
    # features in clusters: presence falls off with the distance to a random centre
    centre = np.column_stack([rng.uniform(0, x.max(), n_features), rng.uniform(0, y.max(), n_features)])
    radius = rng.uniform(2, 8, n_features)
    dist = np.hypot(x[None, :] - centre[:, :1], y[None, :] - centre[:, 1:])
    species, unit = np.nonzero(rng.random(dist.shape) < np.exp(-(dist / radius[:, None]) ** 2))
    os.makedirs(os.path.join(dst, "input"))
    pd.DataFrame({"id": ids, "cost": cost, "status": 0, "xloc": x, "yloc": y}).to_csv(
        os.path.join(dst, "input", "pu.dat"), index=False)
    pd.DataFrame({"id": np.arange(1, n_features + 1), "prop": np.round(rng.uniform(0.2, 0.3, n_features), 3),
                  "spf": 1000.0, "name": [f"f{j + 1}" for j in range(n_features)]}).to_csv(
        os.path.join(dst, "input", "spec.dat"), index=False)
    pd.DataFrame({"species": species + 1, "pu": ids[unit], "amount": 1.0}).to_csv(
        os.path.join(dst, "input", "puvspr.dat"), index=False)
    bound.to_csv(os.path.join(dst, "input", "bound.dat"), sep="\t", index=False)

    def write_input(blm: float) -> None:
        with open(os.path.join(dst, "input.dat"), "w") as fh:
            fh.write(f"BLM {blm:.6g}\nPROP 0\nRANDSEED -1\nNUMREPS 10\nNUMITNS 1000000\nSTARTTEMP -1\n"
                     "NUMTEMP 10000\nCOSTTHRESH 0\nINPUTDIR input\nOUTPUTDIR output\nPUNAME pu.dat\n"
                     "SPECNAME spec.dat\nPUVSPRNAME puvspr.dat\nBOUNDNAME bound.dat\nSCENNAME output\n"
                     "SAVEBEST 3\nSAVESUMMARY 3\nSAVERUN 0\nMISSLEVEL 1\nRUNMODE 1\nITIMPTYPE 0\nVERBOSITY 1\n")

    write_input(0.0)
    plain = scp.solve(scp.marxan_problem(scp.read_marxan(dst)), gap=0.01, time_limit=60)
    write_input(strength * plain.cost / max(plain.evaluation.boundary_length, 1e-9))
    return dst


def main(argv: list[str] | None = None) -> int:
    import scp
    from scp.app.bench import publish
    from scp.app.marxan.run import find_marxan, run_marxan

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--long", type=float, nargs="+", default=[60.0, 600.0],
                    help="the longer scp time limits (s), each a column group")
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
        "hexagons 2,000, boundary 10x cost": lambda: hexagon_project(os.path.join(tmp, "h2"), 40, 50, 60, 1),
        "hexagons 10,000, boundary 10x cost": lambda: hexagon_project(os.path.join(tmp, "h10"), 80, 125, 80, 2),
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
            at_marxan = timed_solve(problem, m["time_s"])
            row += figures(at_marxan, m["score"])
            row += process_figures(folder, m["time_s"], m["score"], os.path.join(tmp, "out"))
            row.append(time_to_match(problem, m, at_marxan, max(args.long)))
            proven = None
            for limit in args.long:
                if proven is None:
                    answer = timed_solve(problem, limit)
                    proven = answer if answer[0].status is scp.Status.OPTIMAL else None
                    row += figures(answer, m["score"])
                else:
                    row += figures(proven, m["score"])[:-1] + [f"proven at {proven[1]:.1f}"]
            rows.append(row)
            print(" | ".join(row), file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    head = ["project", "units", "BLM", "Marxan best", "Marxan missed", "Marxan s",
            "scp @Marxan s", "vs Marxan", "bound", "gap", "scp s", "scplan @Marxan s", "vs Marxan", "scplan s",
            "scp to match"]
    for limit in args.long:
        head += [f"scp @{limit:g} s", "vs Marxan", "bound", "gap", "scp s"]
    publish("Marxan 4.0.6 as input.dat says (NUMREPS x NUMITNS, 2 OpenMP threads); scp: HiGHS, warm start "
            "(penalised-shortfall annealing, LP, greedy, local search), time limit = Marxan's wall time, then each long limit", head, rows, args.out)
    return 0


def timed_solve(problem, limit: float):
    """scp's answer within ``limit`` seconds (at least 0.2 s) and its wall time: gap 0, warm start
    as ``scplan marxan`` does; every selection verified by ``scp.evaluate``."""
    import scp

    t0 = time.perf_counter()
    sol = scp.solve(problem, gap=0.0, time_limit=max(limit, 0.2), warm_start="heuristic")
    assert sol.evaluation.feasible
    return sol, time.perf_counter() - t0


def process_figures(folder: str, limit: float, marxan_score: float, out: str) -> list[str]:
    """``scplan marxan FOLDER --time-limit LIMIT`` as a user runs it, in its own process (start-up,
    reading, solving, writing every output): its verified score and the process's wall time."""
    import json
    import subprocess

    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "scp.app.cli", "marxan",  # as the scplan script runs it
                    folder, "--time-limit", f"{limit:g}", "--out", out, "--quiet"], check=True,
                   stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    with open(os.path.join(out, "summary.json")) as fh:
        score = json.load(fh)["objective"]
    return [f"{score:,.2f}", f"{(score / marxan_score - 1) if marxan_score else 0:+.2%}", f"{wall:.1f}"]


def figures(answer, marxan_score: float) -> list[str]:
    sol, wall = answer
    score = sol.objective  # cost + BLM x boundary, verified by scp.evaluate
    return [f"{score:,.2f}", f"{(score / marxan_score - 1) if marxan_score else 0:+.2%}",
            f"{sol.bound:,.2f}", f"{sol.gap:.2%}", f"{wall:.1f}"]


def time_to_match(problem, marxan: dict, at_marxan, longest: float) -> str:
    """The smallest limit of the ladder in the module docstring at which scp's score is at or below
    Marxan's best (and that solve's wall time), or "not in Xs"."""
    t = marxan["time_s"]
    tol = 1e-9 * max(1.0, abs(marxan["score"]))
    matched = at_marxan if at_marxan[0].objective <= marxan["score"] + tol else None
    limit = t
    if matched is not None:
        for shorter in sorted({max(t / 2 ** k, 0.2) for k in (1, 2, 3)} - {max(t, 0.2)}, reverse=True):
            answer = timed_solve(problem, shorter)  # timed_solve's floor is 0.2 s: each limit once
            if answer[0].objective > marxan["score"] + tol:
                break
            matched, limit = answer, shorter
        return f"{max(limit, 0.2):.2g} s ({matched[1]:.1f})"
    while limit < longest:
        limit = min(2 * limit, longest)
        answer = timed_solve(problem, limit)
        if answer[0].objective <= marxan["score"] + tol:
            return f"{limit:.3g} s ({answer[1]:.1f})"
    return f"not in {longest:g} s"


if __name__ == "__main__":
    sys.exit(main())
