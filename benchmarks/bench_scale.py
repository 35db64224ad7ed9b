"""Scale benchmark: build and solve time, gap and peak memory on generated grids of 10k, 100k
and 1M planning units, per backend, boundary formulation and warm start.

Data: square grids, ``F`` features (default 50) that are spatially clustered (smoothed noise
above a threshold, ~20% of the cells each, amounts 0.5-1.5), costs from a smoothed field plus
noise (1-10), 30% relative targets, a 4-neighbour boundary with unit edges. Penalty levels are
per unit of edge length; the cost of a cell averages ~5.5 and its perimeter is 4.

Each case runs in its own process (peak memory is the case's own; a solver that does not
honour its time limit is killed at 2 x limit + 60 s and reported as "killed"). Columns:
``build_s`` compile to the sparse model; ``heur_s``/``heur_gap`` the LP relaxation plus greedy
heuristic (warm start "yes") and its selection's gap to the LP bound; ``solve_s`` everything
after the build (LP, heuristic, solver); status ``optimal (lp+heuristic)`` when the LP bound
already proved the heuristic selection within the gap (no branch-and-bound), ``time_limit
(lp+heuristic)`` when the solver gave nothing better back in time (a stalled HiGHS is stopped,
see ``scp.problem.GUARDED_ROWS``); ``gap`` the final gap; ``rss_GB`` the case process's peak resident memory;
``ok`` whether scp.evaluate verified the selection.

Usage::

    python benchmarks/bench_scale.py --sizes 10000 100000 --penalties 0 0.2 1.0 \\
        --formulations pairs compact --solvers highs cbc --gaps 0.01 0.001 --time-limit 600 \\
        --out benchmarks/results/scale.md
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing as mp
import resource
import sys
import time

import numpy as np
import scipy.sparse as sp


def make_problem(n: int, penalty: float, n_features: int = 50, seed: int = 0):
    """The generated problem described in the module docstring (``n`` rounded to a square)."""
    from scipy.ndimage import gaussian_filter

    import scp

    side = int(round(np.sqrt(n)))
    rng = np.random.default_rng(seed)

    def field(scale: float) -> np.ndarray:
        f = gaussian_filter(rng.standard_normal((side, side)).astype(np.float32), scale, mode="wrap")
        return (f - f.mean()) / (f.std() + 1e-12)

    cost = np.clip(5.5 + 2.0 * field(side / 40) + rng.normal(0, 1.0, (side, side)), 1, 10).ravel()
    rows, cols, vals = [], [], []
    for j in range(n_features):
        f = field(rng.uniform(2, max(3, side / 30))).ravel()
        cells = np.flatnonzero(f > 0.84)  # ~20% of the cells
        rows.append(np.full(cells.size, j))
        cols.append(cells)
        vals.append(rng.uniform(0.5, 1.5, cells.size))
    rij = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                        shape=(n_features, side * side))
    data = scp.PlanningData.from_arrays(
        cost=cost, features=rij, feature_names=[f"f{j}" for j in range(n_features)],
        boundary=scp.boundary.grid_boundary(np.ones((side, side), bool)) if penalty > 0 else None)
    p = scp.Problem(data).relative_targets(0.3)
    return p.boundary_penalty(penalty) if penalty > 0 else p


def _case(cfg: dict, queue) -> None:
    import scp

    out = dict(cfg)
    p = make_problem(cfg["n"], cfg["penalty"], cfg["features"])
    t0 = time.perf_counter()
    model = scp.compile_problem(p, cfg["formulation"])
    out["build_s"] = time.perf_counter() - t0
    out["rows"], out["cols"] = model.n_rows, model.n_cols
    t0 = time.perf_counter()
    try:
        sol = scp.solve_model(p, model, cfg["solver"], gap=cfg["gap"], time_limit=cfg["time_limit"], threads=1,
                              warm_start="heuristic" if cfg["warm"] else None)
        # "lp+heuristic": the selection is the heuristic's, its bound the LP relaxation's
        out["status"] = sol.status.value + ("" if sol.solver == cfg["solver"] else " (lp+heuristic)")
        out["gap"], out["objective"], out["bound"] = sol.gap, sol.objective, sol.bound
        out["ok"] = sol.evaluation.feasible  # solve_model verified it with scp.evaluate
        out["heur_s"] = sol.extra.get("lp_s", float("nan")) + sol.extra.get("heuristic_s", float("nan"))
        if cfg["warm"] and sol.extra.get("lp_bound") is not None:
            h = sol.extra["heuristic_objective"]
            out["heur_gap"] = (h - sol.extra["lp_bound"]) / h if np.isfinite(h) else float("nan")
    except Exception as exc:  # no solution in time, solver failure: reported in the table
        out["status"] = f"{type(exc).__name__}"
        out["ok"] = False
    out["solve_s"] = time.perf_counter() - t0
    out["rss_GB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    queue.put(out)


def run_guarded(cfg: dict) -> dict:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    proc = ctx.Process(target=_case, args=(cfg, q))
    t0 = time.perf_counter()
    proc.start()
    try:
        out = q.get(timeout=2 * cfg["time_limit"] + 120)
    except Exception:
        proc.kill()
        out = dict(cfg, status="killed", solve_s=time.perf_counter() - t0, ok=False)
    proc.join()
    return out


def fmt(v) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if not np.isfinite(v):
            return "-"
        return f"{v:.3g}" if abs(v) < 1e4 else f"{v:,.0f}"
    return "-" if v is None else str(v)


def main(argv: list[str] | None = None) -> int:
    from scp.app.bench import publish

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--features", type=int, default=50)
    ap.add_argument("--penalties", type=float, nargs="+", default=[0.0, 0.2, 1.0])
    ap.add_argument("--formulations", nargs="+", default=["pairs", "compact"])
    ap.add_argument("--solvers", nargs="+", default=["highs"])
    ap.add_argument("--warm", nargs="+", default=["no", "yes"], choices=["no", "yes"])
    ap.add_argument("--gaps", type=float, nargs="+", default=[0.01])
    ap.add_argument("--time-limit", type=float, default=600.0)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    rows = []
    for n, pen, form, solver, warm, gap in itertools.product(args.sizes, args.penalties, args.formulations,
                                                            args.solvers, args.warm, args.gaps):
        if pen == 0 and form != args.formulations[0]:
            continue  # no pairs to linearise
        if warm == "yes" and solver != "highs":
            continue  # warm starts are passed to HiGHS only
        cfg = {"n": n, "features": args.features, "penalty": pen, "formulation": form if pen > 0 else "-",
               "solver": solver, "warm": warm == "yes", "gap_req": gap, "gap": gap,
               "time_limit": args.time_limit}
        cfg["formulation"] = form if pen > 0 else "pairs"
        out = run_guarded(cfg)
        if pen == 0:
            out["formulation"] = "-"
        out["gap_req"] = gap
        rows.append(out)
        print(json.dumps({k: v for k, v in out.items()}, default=str), file=sys.stderr, flush=True)
    head = ["PUs", "features", "penalty", "formulation", "solver", "warm start", "gap asked", "rows", "cols",
            "build_s", "heur_s", "heur_gap", "solve_s", "status", "gap", "objective", "rss_GB", "ok"]
    keys = ["n", "features", "penalty", "formulation", "solver", "warm", "gap_req", "rows", "cols", "build_s",
            "heur_s", "heur_gap", "solve_s", "status", "gap", "objective", "rss_GB", "ok"]
    publish(f"Solve settings: 1 thread per solve, time limit {args.time_limit:g} s; clustered generated "
            "features (see bench_scale.py)", head, [[fmt(r.get(k)) for k in keys] for r in rows], args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
