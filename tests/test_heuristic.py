"""The greedy primal heuristic: feasible, never better than the optimum, and a valid warm start."""

from __future__ import annotations

import numpy as np
import pytest

import scp
from scp.solving.heuristic import full_start, greedy_selection


def problem(seed: int, n_side: int = 6, penalty: float = 0.0, coverage: float | None = None) -> scp.Problem:
    rng = np.random.default_rng(seed)
    n = n_side * n_side
    jur = np.where(np.arange(n) % n_side < n_side // 2, "A", "B")
    d = scp.PlanningData.from_arrays(cost=rng.uniform(1, 10, n),
                                     features={f"f{j}": rng.integers(0, 4, n).astype(float) for j in range(5)},
                                     jurisdiction=jur,
                                     boundary=scp.boundary.grid_boundary(np.ones((n_side, n_side), bool)))
    p = scp.Problem(d).relative_targets(0.3).locked_in([0]).locked_out([n - 1])
    if coverage:
        p = p.coverage(coverage, by="jurisdiction")
    if penalty:
        p = p.boundary_penalty(penalty)
    return p


@pytest.mark.parametrize("seed", range(6))
def test_greedy_is_feasible_and_not_better_than_the_optimum(seed):
    p = problem(seed, penalty=[0, 0.5, 2.0][seed % 3], coverage=0.3 if seed % 2 else None)
    x = greedy_selection(p)
    ev = scp.evaluate(p, x)
    assert ev.feasible, ev.violations
    opt = p.solve().objective
    assert ev.objective >= opt - 1e-9
    assert p.solve(warm_start="heuristic").objective == pytest.approx(opt)


def test_improvement_helps_with_a_boundary_penalty():
    p = problem(3, n_side=8, penalty=2.0)
    x0 = greedy_selection(p, rounds=0)
    x1 = greedy_selection(p)
    assert scp.evaluate(p, x1).objective <= scp.evaluate(p, x0).objective


@pytest.mark.parametrize("formulation", ["pairs", "compact"])
def test_full_start_matches_the_model_objective(formulation):
    p = problem(1, penalty=1.0)
    model = scp.compile_problem(p, formulation)
    x = greedy_selection(p)
    full = full_start(model, x)
    assert full.size == model.n_cols
    assert model.objective_of(full) == pytest.approx(scp.evaluate(p, x).objective)
    r = model.A @ full
    assert (r >= model.row_lower - 1e-9).all() and (r <= model.row_upper + 1e-9).all()


def test_unsupported_problems_and_order():
    p = problem(2).budget(1e9)
    assert greedy_selection(p) is None
    q = problem(2)
    order = np.argsort(q.data.cost)  # cheapest first
    assert scp.evaluate(q, greedy_selection(q, order=order)).feasible
    impossible = scp.Problem(q.data).absolute_targets(1e9)
    assert greedy_selection(impossible) is None
    with pytest.raises(scp.ScenarioError, match="heuristic"):
        q.solve(warm_start="greedy")


def test_lp_bound_proves_the_heuristic_within_a_loose_gap():
    p = problem(4, n_side=8, penalty=0.5)
    sol = p.solve(gap=0.5, warm_start="heuristic")
    assert sol.solver == "highs LP bound + heuristic"
    # proven within the requested gap by the LP bound; "optimal" only for a proven optimum
    assert sol.status is (scp.Status.OPTIMAL if sol.gap <= 1e-6 else scp.Status.WITHIN_GAP)
    assert sol.bound <= sol.objective and sol.gap <= 0.5 and sol.evaluation.feasible
    assert sol.bound <= p.solve().objective + 1e-6  # the LP bound is a lower bound on the optimum
    assert sol.extra["lp_s"] >= 0 and sol.extra["heuristic_objective"] == pytest.approx(sol.objective)


def test_heuristic_start_is_ignored_for_unsupported_problems():
    p = problem(5).budget(1e9)
    assert p.solve(warm_start="heuristic").objective == pytest.approx(p.solve().objective)


def test_guarded_highs_solve_returns_and_is_stopped_when_it_overruns(monkeypatch):
    from scp.solving.backends import SolveOptions, Status
    from scp.solving.backends.highs import solve_highs_guarded

    p = problem(6, penalty=0.5)
    model = scp.compile_problem(p)
    ok = solve_highs_guarded(model, SolveOptions(time_limit=60.0))
    assert ok.status is Status.OPTIMAL and ok.objective == pytest.approx(p.solve().objective)
    stopped = solve_highs_guarded(model, SolveOptions(time_limit=0.001), grace=0.0)
    assert stopped.status is Status.NO_SOLUTION and stopped.x is None and "stopped" in stopped.log


def test_heuristic_selection_is_kept_when_the_solver_returns_nothing(monkeypatch):
    import scp.solving.pipeline as pipeline
    from scp.solving.backends import SolverResult, Status

    def stalled(model, options, grace=None):
        return SolverResult(Status.NO_SOLUTION, None, np.nan, np.nan, np.inf, 1.0, "highs", log="stalled")

    monkeypatch.setattr(pipeline, "GUARDED_ROWS", 0)
    monkeypatch.setattr(pipeline, "solve_highs_guarded", stalled)
    p = problem(7, penalty=1.0)
    sol = p.solve(gap=0.0, time_limit=10.0, warm_start="heuristic")
    assert sol.status is Status.TIME_LIMIT and sol.solver == "highs LP bound + heuristic"
    assert sol.evaluation.feasible and sol.bound <= sol.objective and sol.gap > 0


def test_greedy_improvement_stops_at_the_deadline(monkeypatch):
    """Past ``stop_at`` the greedy builds its first feasible selection and evaluates it, without
    improvement steps (on a 10,000-unit hexagon project they took 2.4 s of a 0.7 s time limit)."""
    import time

    import scp.solving.heuristic as heuristic

    p = problem(1, n_side=12, penalty=2.0, coverage=0.3)  # two improvement steps without a deadline
    calls = []
    real = heuristic.evaluate
    monkeypatch.setattr(heuristic, "evaluate", lambda *a: calls.append(1) or real(*a))
    x = greedy_selection(p, stop_at=time.perf_counter())
    assert len(calls) == 2 and scp.evaluate(p, x).feasible
    calls.clear()
    full = greedy_selection(p)
    assert len(calls) > 2 and scp.evaluate(p, full).objective <= scp.evaluate(p, x).objective
