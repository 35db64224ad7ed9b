"""Solver backends: options, status, time limits, warm starts and progress."""

from __future__ import annotations


import numpy as np
import pytest

import scp
from scp.solving.backends import SolveOptions, solve_with
from scp.solving.backends.mps import write_mps


def random_grid(rows: int, cols: int, n_feat: int = 5, seed: int = 0) -> scp.PlanningData:
    rng = np.random.default_rng(seed)
    n = rows * cols
    feats = {f"f{j}": rng.random(n) * (rng.random(n) < 0.3) for j in range(n_feat)}
    return scp.PlanningData.from_arrays(cost=rng.uniform(1, 10, n), features=feats,
                                        boundary=scp.boundary.grid_boundary(np.ones((rows, cols), bool)))


def test_unknown_solver():
    p = scp.Problem(random_grid(2, 2)).relative_targets(0.2)
    with pytest.raises(scp.SolverUnavailable, match="unknown solver 'gurobi'"):
        p.solve("gurobi")
    with pytest.raises(scp.SolverUnavailable, match="PuLP knows no solver 'NOPE'"):
        p.solve("pulp:NOPE")


def test_bad_solver_options():
    p = scp.Problem(random_grid(2, 2)).relative_targets(0.2)
    with pytest.raises(scp.ScenarioError, match="solver.gap"):
        p.solve(gap=5)
    with pytest.raises(scp.ScenarioError, match="solver.time_limit"):
        p.solve(time_limit=0)


def test_time_limited_solve_returns_verified_incumbent():
    # a warm start guarantees an incumbent; the time limit stops HiGHS long before optimality
    p = scp.Problem(random_grid(60, 60, n_feat=20)).relative_targets(0.3).boundary_penalty(5.0)
    sol = p.solve(time_limit=0.5, warm_start=np.ones(3600))
    assert sol.status in (scp.Status.TIME_LIMIT, scp.Status.OPTIMAL)
    if sol.status is scp.Status.TIME_LIMIT:
        assert sol.gap > 0 and sol.bound <= sol.objective + 1e-6
    assert sol.evaluation.targets_met and sol.evaluation.feasible


def test_gap_option_bounds_the_reported_gap():
    p = scp.Problem(random_grid(20, 20)).relative_targets(0.3).boundary_penalty(1.0)
    for solver in ("highs", "cbc"):
        sol = p.solve(solver, gap=0.05)
        assert sol.status.proven and sol.gap <= 0.05 + 1e-9
        assert sol.status is (scp.Status.OPTIMAL if sol.gap <= 1e-6 else scp.Status.WITHIN_GAP)
        assert sol.bound <= sol.objective + 1e-6 * abs(sol.objective)


def test_highs_and_cbc_agree_on_a_grid():
    p = scp.Problem(random_grid(8, 8)).relative_targets(0.3).coverage(0.3).boundary_penalty(0.5)
    a, b = p.solve("highs"), p.solve("cbc")
    assert a.objective == pytest.approx(b.objective, rel=1e-9)
    assert a.gap <= 1e-9 and b.gap <= 1e-9


@pytest.mark.parametrize("guarded", [False, True])
def test_progress_callback_is_called(guarded, monkeypatch):
    # 20x20 (1,530 rows) is solved in-process; with GUARDED_ROWS 0 the same model goes to the
    # guarded child process, which relays its progress rows (a longer limit: the child has to start)
    from scp.solving import pipeline

    if guarded:
        monkeypatch.setattr(pipeline, "GUARDED_ROWS", 0)
    calls = []
    p = scp.Problem(random_grid(20, 20, n_feat=10)).relative_targets(0.3).boundary_penalty(3.0)
    # every unit selected is a feasible start: the solve has a verified answer however busy the
    # machine is (without one, HiGHS sometimes found no solution of its own within a short limit)
    sol = p.solve(time_limit=6.0 if guarded else 2.5, progress=lambda *a: calls.append(a),
                  warm_start=np.ones(400, bool))
    assert sol.evaluation.feasible
    assert calls, "progress was never reported"
    t, inc, bound, gap = calls[-1]
    assert t >= 0 and (np.isnan(bound) or np.isfinite(bound) or bound == -np.inf)


def test_same_problem_same_solution_and_digest():
    p = scp.Problem(random_grid(10, 10)).relative_targets(0.3).boundary_penalty(1.0)
    a, b = p.solve(), p.solve()
    np.testing.assert_array_equal(a.selection, b.selection)
    assert a.model_digest == b.model_digest


def test_mps_round_trip_through_highs(tmp_path):
    p = scp.Problem(random_grid(4, 4)).relative_targets(0.4).coverage(0.25).boundary_penalty(1.0)
    m = scp.compile_problem(p)
    path = tmp_path / "m.mps"
    with open(path, "wb") as fh:
        write_mps(m, fh)
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(path))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.run()
    direct = solve_with(m, "highs", SolveOptions())
    assert h.getInfo().objective_function_value == pytest.approx(direct.objective - m.offset, rel=1e-9)
    text = path.read_text()
    assert text.startswith("NAME scp FREE\nROWS\n N OBJ\n") and text.rstrip().endswith("ENDATA")
    assert text.count("'INTORG'") == 1


def test_summary_is_json_ready():
    import json

    p = scp.Problem(random_grid(3, 3)).relative_targets(0.3)
    s = p.solve().summary()
    json.dumps(s)
    assert s["status"] == "optimal" and s["targets_met"] is True and s["n_targets_missed"] == 0


def test_mps_numbers_exact_and_arithmetic_paths(monkeypatch):
    from scp.solving.backends import mps

    v = np.array([0.1, -2.5, 1e-7, 123456.789, 0.0, 1 / 3, 7.25e12])
    exact = [float(bytes(r)) for r in mps._numbers(v)]
    assert exact == v.tolist()
    monkeypatch.setattr(mps, "EXACT_LIMIT", 0)
    approx = np.array([float(bytes(r)) for r in mps._numbers(v)])
    np.testing.assert_allclose(approx, v, rtol=3e-16, atol=0)
    ints = [bytes(r).decode() for r in mps._numbers(np.array([1.0, -1.0, 30.0]))]
    assert ints == [" 01", "-01", " 30"]


def test_cbc_without_integer_solution_reports_no_solution(tmp_path):
    from scp.solving.backends.pulp_solver import _parse_cbc

    m = scp.compile_problem(scp.Problem(random_grid(2, 2)).relative_targets(0.2))
    sol = tmp_path / "s.sol"
    sol.write_text("Stopped on time (no integer solution - continuous used) - objective value 6.5\n"
                   "      0 C0   0.3   0\n      1 C1   0.5   0\n")
    log = "Result - Stopped on time limit\n\nNo feasible solution found\nLower bound:   6.5\n"
    r = _parse_cbc(m, log, str(sol), 1.0)
    assert r.status is scp.Status.NO_SOLUTION and r.x is None
    sol.write_text("Stopped on time - objective value 9.0\n      0 C0   1   1\n      3 C3   1   4\n")
    r = _parse_cbc(m, "Result - Stopped on time limit\nObjective value: 9\nLower bound: 6.5\nGap: 0.38\n",
                   str(sol), 1.0)
    assert r.status is scp.Status.TIME_LIMIT and r.x.tolist() == [1, 0, 0, 1]
    assert r.bound == 6.5 and r.gap == pytest.approx((r.objective - 6.5) / r.objective)


def test_a_feasible_warm_start_is_kept_when_the_solver_stops_without_a_solution():
    from scp.solving.backends import SolverResult
    from scp.solving.pipeline import _kept_warm_start

    p = scp.Problem(random_grid(6, 6, n_feat=3)).relative_targets(0.3).boundary_penalty(1.0)
    model = scp.compile_problem(p)
    stopped = SolverResult(scp.Status.NO_SOLUTION, None, float("nan"), 12.5, float("inf"), 0.4, "highs")
    kept = _kept_warm_start(p, model, stopped, np.ones(36))
    assert kept.status is scp.Status.TIME_LIMIT and kept.x is not None
    assert kept.objective == pytest.approx(scp.evaluate(p, np.ones(36, bool)).objective)
    assert kept.bound == 12.5 and kept.gap == pytest.approx((kept.objective - 12.5) / kept.objective)
    # no bound reported (a child stopped before its first progress row): only the trivial bound
    nobound = SolverResult(scp.Status.NO_SOLUTION, None, float("nan"), float("nan"), float("inf"), 0.4, "highs")
    kept = _kept_warm_start(p, model, nobound, np.ones(36))
    assert kept.bound == -np.inf and kept.gap == np.inf
    # an infeasible warm start is not kept (the caller gets the solver's honest "no solution")
    assert _kept_warm_start(p, model, stopped, np.zeros(36)) is stopped
    # a failure that is not a stop keeps its status
    failed = SolverResult(scp.Status.ERROR, None, float("nan"), float("nan"), float("inf"), 0.4, "highs")
    assert _kept_warm_start(p, model, failed, np.ones(36)) is failed


def test_cbc_presolve_infeasibility_is_reported_as_infeasible():
    """CBC proves this infeasible in its presolve (no "Result -" line in its log): the budget left
    after the locked-in unit cannot buy the unit the first target needs. scp must say
    infeasible, not "solver failed"."""
    data = scp.PlanningData.from_arrays(cost=[2.0, 6.0, 10.0, 9.0], features={"f0": [0, 1, 2, 0], "f1": [1, 1, 0, 0]},
                                        status=np.array([0, 0, 2, 1], np.int8))
    p = scp.Problem(data).relative_targets(0.3).budget(10.8)
    assert not scp.infeasibility_reasons(p)  # no single check sees it
    for solver in ("cbc", "highs"):
        with pytest.raises(scp.Infeasible):
            p.solve(solver)


def test_highs_stops_at_the_first_solution_the_caller_flags():
    # warm-started from everything, HiGHS finds improving solutions; told to stop at the first
    # one the caller flags, it returns that one (status TIME_LIMIT, a valid bound)
    p = scp.Problem(random_grid(12, 12, n_feat=4, seed=3)).relative_targets(0.3).boundary_penalty(0.5)
    model = scp.compile_problem(p)
    seen = []

    def flag(x):
        seen.append(model.objective_of(x))
        return True

    full = p.solve()
    res = solve_with(model, "highs", SolveOptions(warm_start=np.ones(144), stop_on_solution=flag))
    assert seen and res.x is not None and res.status is scp.Status.TIME_LIMIT
    assert res.objective == pytest.approx(seen[-1]) and res.bound <= full.objective + 1e-6
    never = solve_with(model, "highs", SolveOptions(stop_on_solution=lambda x: False))
    assert never.status is scp.Status.OPTIMAL and never.objective == pytest.approx(full.objective)


def test_guarded_highs_stops_at_a_flagged_solution_too():
    # the guarded child process gets the flag as a picklable callable (np.any: any unit selected)
    import time

    from scp.solving.backends.highs import solve_highs_guarded

    p = scp.Problem(random_grid(12, 12, n_feat=4, seed=3)).relative_targets(0.3).boundary_penalty(0.5)
    model = scp.compile_problem(p)
    res = solve_highs_guarded(model, SolveOptions(warm_start=np.ones(144), stop_on_solution=np.any,
                                                  deadline_at=time.perf_counter() + 60))
    assert res.x is not None and res.status is scp.Status.TIME_LIMIT
