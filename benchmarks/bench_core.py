"""Core engine benchmark: compile time, peak memory, solver build and solve time/gap.

Random square grids of 10k, 100k and 1M planning units x 50 features (20% occupancy,
uniform amounts, 30% relative targets, uniform costs 1-10), with and without a boundary
penalty (4-neighbour grid, unit edges). Each case runs in its own process so that peak
memory is the case's own.

Columns: ``compile_s`` Problem -> sparse Model; ``peak_MB`` largest traced allocation
during compile (numpy included); ``rss_MB`` the process's maximum resident memory;
``highs_build_s`` passing the model to HiGHS; ``pulp_build_s`` writing the MPS file that
CBC (or another PuLP solver) reads; then per backend the solve time, status and gap.

Usage::

    python benchmarks/bench_core.py [--sizes 10000 100000 1000000] [--solve-up-to 100000]
                                    [--gap 0.001] [--time-limit 300] [--out benchmarks/results/core.md]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import sys
import time
import tracemalloc

import numpy as np
import scipy.sparse as sp


def make_problem(n: int, penalty: float, n_features: int = 50, seed: int = 0):
    import scp

    side = int(round(np.sqrt(n)))
    n = side * side
    rng = np.random.default_rng(seed)
    rij = sp.random(n_features, n, density=0.2, format="csr", random_state=rng)
    data = scp.PlanningData.from_arrays(
        cost=rng.uniform(1, 10, n), features=rij, feature_names=[f"f{j}" for j in range(n_features)],
        boundary=scp.boundary.grid_boundary(np.ones((side, side), bool)) if penalty > 0 else None,
    )
    p = scp.Problem(data).relative_targets(0.3)
    if penalty > 0:
        p = p.boundary_penalty(penalty)
    return p


def _solve_child(n: int, penalty: float, solver: str, gap: float, time_limit: float, queue) -> None:
    import scp
    from scp.solving.backends import SolveOptions, solve_with

    p = make_problem(n, penalty)
    model = scp.compile_problem(p)
    res = solve_with(model, solver, SolveOptions(gap=gap, time_limit=time_limit, threads=1))
    ok = scp.evaluate(p, res.x[: model.n_pu] > 0.5).feasible if res.x is not None else None
    queue.put({f"{solver}_build_s": res.build_time, f"{solver}_solve_s": res.runtime,
               f"{solver}_status": res.status.value, f"{solver}_gap": res.gap,
               f"{solver}_objective": res.objective, f"{solver}_verified": ok})


def solve_guarded(n: int, penalty: float, solver: str, gap: float, time_limit: float) -> dict:
    """Solve in a child process killed at twice the time limit plus a minute: a solver that
    does not honour its time limit is reported as such instead of stalling the benchmark."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    proc = ctx.Process(target=_solve_child, args=(n, penalty, solver, gap, time_limit, q))
    t0 = time.perf_counter()
    proc.start()
    try:
        out = q.get(timeout=2 * time_limit + 60)
    except Exception:
        proc.kill()
        out = {f"{solver}_status": "killed", f"{solver}_solve_s": time.perf_counter() - t0,
               f"{solver}_gap": float("inf")}
    proc.join()
    return out


def run_case(n: int, penalty: float, solve: bool, gap: float, time_limit: float, queue) -> None:
    import scp
    from scp.solving.backends.mps import write_mps

    p = make_problem(n, penalty)
    row = {"n_pu": p.data.n_pu, "features": p.data.n_features, "penalty": penalty}
    tracemalloc.start()
    t0 = time.perf_counter()
    model = scp.compile_problem(p)
    row["compile_s"] = time.perf_counter() - t0
    row["peak_MB"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    row["rows"], row["cols"], row["nnz"] = model.n_rows, model.n_cols, int(model.A.nnz)
    t0 = time.perf_counter()
    with open(os.devnull, "wb") as fh:
        write_mps(model, fh)
    row["pulp_build_s"] = time.perf_counter() - t0
    for solver in ("highs", "cbc") if solve else ():
        row.update(solve_guarded(n, penalty, solver, gap, time_limit))
    if not solve:
        import highspy  # noqa: F401  build time of the HiGHS path without solving

        from scp.solving.backends.highs import _new_highs

        hp, h = _new_highs(False)
        h.setOptionValue("output_flag", False)
        A = model.A
        t0 = time.perf_counter()
        h.passModel(model.n_cols, model.n_rows, int(A.nnz), int(hp.MatrixFormat.kRowwise), 1, 0.0,
                    model.c, model.col_lower, model.col_upper,
                    np.where(np.isfinite(model.row_lower), model.row_lower, -hp.kHighsInf),
                    np.where(np.isfinite(model.row_upper), model.row_upper, hp.kHighsInf),
                    A.indptr.astype(np.int32), A.indices.astype(np.int32), A.data,
                    model.integrality.astype(np.int32))
        row["highs_build_s"] = time.perf_counter() - t0
    row["rss_MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(row)



def fmt(v) -> str:
    if isinstance(v, float):
        if not np.isfinite(v):
            return str(v)
        return f"{v:.3g}" if abs(v) < 1e4 else f"{v:,.0f}"
    return str(v)


def main(argv: list[str] | None = None) -> int:
    from scp.app.bench import publish

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--penalties", type=float, nargs="+", default=[0.0, 0.5])
    ap.add_argument("--solve-up-to", type=int, default=100_000)
    ap.add_argument("--gap", type=float, default=0.001)
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--out", default=None, help="write the Markdown table here as well")
    args = ap.parse_args(argv)
    ctx = mp.get_context("spawn")
    rows = []
    for n in args.sizes:
        for pen in args.penalties:
            q = ctx.Queue()
            proc = ctx.Process(target=run_case, args=(n, pen, n <= args.solve_up_to, args.gap, args.time_limit, q))
            proc.start()
            row = q.get()
            proc.join()
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    cols = ["n_pu", "features", "penalty", "rows", "cols", "nnz", "compile_s", "peak_MB", "rss_MB",
            "highs_build_s", "pulp_build_s", "highs_solve_s", "highs_status", "highs_gap",
            "cbc_solve_s", "cbc_status", "cbc_gap", "highs_objective", "cbc_objective"]
    publish(f"Solve settings: gap {args.gap}, time limit {args.time_limit:g} s, 1 thread", cols,
            [[fmt(r.get(c, "")) for c in cols] for r in rows], args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
