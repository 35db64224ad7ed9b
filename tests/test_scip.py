"""SCIP backend (scp/solving/backends/scip.py): plain models and contiguity cuts inside its tree."""

from __future__ import annotations

import time

import numpy as np
import pytest

import scp
from bruteforce import brute_force
from scp.data.spatial import adjacency
from scp.model import compile_problem
from scp.solving.backends import SolveOptions, solve_with
from test_contiguity import grid_data
from test_cuts import X12, connected, rooted

pytest.importorskip("pyscipopt")



@pytest.mark.parametrize("seed", range(3))
def test_plain_models_equal_brute_force(seed):
    data = grid_data(3, 3, seed=seed)
    base = scp.Problem(data).relative_targets(0.4)
    if seed % 2:
        base = base.boundary_penalty(0.5)
    best, _ = brute_force(base)
    sol = base.solve("scip")
    assert sol.status is scp.Status.OPTIMAL and sol.evaluation.feasible
    assert sol.objective == pytest.approx(best)
    assert sol.bound == pytest.approx(best, rel=1e-6)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("variant", ["selection", "locked_in", "feature"])
def test_cuts_in_the_tree_equal_brute_force_on_3x4(seed, variant):
    status = np.zeros(12, np.int8)
    if variant == "locked_in":
        status[[0, 7]] = 1
    data = grid_data(3, 4, seed=seed, status=status)
    rng = np.random.default_rng(seed)
    data = scp.PlanningData.from_arrays(cost=data.cost, features={"a": data.rij.toarray()[0],
                                                                  "b": (rng.random(12) < 0.5) * 2.0},
                                        boundary=data.boundary, status=status)
    base = scp.Problem(data).relative_targets(0.5)
    if seed % 2:
        base = base.boundary_penalty(0.3)
    _, feasible = brute_force(base)
    adj = adjacency(data)
    if variant == "selection":
        ok = np.array([x.any() and connected(adj, x) for x in X12])
        problem = base.contiguity(method="cuts")
    elif variant == "locked_in":
        ok = np.array([rooted(adj, x, status == 1) for x in X12])
        problem = base.contiguity("locked_in", "cuts")
    else:
        ok = np.array([connected(adj, x, data.rij.toarray()[1] > 0) for x in X12])
        problem = base.feature_contiguity("b")
    objective = np.array([scp.evaluate(base, x).objective if f else np.inf for x, f in zip(X12, feasible)])
    expected = float(objective[ok].min())
    for warm in (None, "heuristic"):
        sol = problem.solve("scip", warm_start=warm)
        assert sol.status is scp.Status.OPTIMAL and sol.evaluation.feasible
        assert sol.objective == pytest.approx(expected)
        assert sol.bound <= expected + 1e-6


def test_lazy_rows_are_added_inside_the_tree():
    # a model whose only constraint is lazy: x_0 + x_1 >= 1 with x_0 costlier; SCIP must ask the
    # handler, add the row when it sees the empty selection, and end at x_1 = 1
    import scipy.sparse as sp

    data = grid_data(1, 2)
    model = compile_problem(scp.Problem(data).relative_targets(0.0))

    class Lazy:
        columns = np.arange(2)
        calls = 0

        def integer(self, x):
            Lazy.calls += 1
            if x[0] + x[1] < 0.5:
                return sp.csr_matrix(np.array([[-1.0, -1.0] + [0.0] * (model.n_cols - 2)])), np.array([-1.0])
            return sp.csr_matrix((0, model.n_cols)), np.zeros(0)

        def fractional(self, x):
            return sp.csr_matrix((0, model.n_cols)), np.zeros(0)

    res = solve_with(model, "scip", SolveOptions(lazy=Lazy()))
    assert Lazy.calls > 0
    assert res.status is scp.Status.OPTIMAL
    assert res.x[:2].sum() == pytest.approx(1.0)
    assert res.objective == pytest.approx(data.cost.min())
    with pytest.raises(scp.ScpError, match="inside its tree"):
        solve_with(model, "highs", SolveOptions(lazy=Lazy()))


def test_time_limit_and_warm_start_on_a_grid():
    rng = np.random.default_rng(30)
    n = 30 * 30
    data = scp.PlanningData.from_arrays(cost=rng.uniform(1, 10, n),
                                        features={f"f{j}": rng.random(n) * (rng.random(n) < 0.4) for j in range(3)},
                                        boundary=scp.boundary.grid_boundary(np.ones((30, 30), bool)))
    t0 = time.perf_counter()
    sol = scp.Problem(data).relative_targets(0.2).contiguity().solve("scip", time_limit=8, warm_start="heuristic")
    wall = time.perf_counter() - t0
    assert wall < 8 + 2
    assert sol.evaluation.feasible and sol.evaluation.n_patches == 1
    assert sol.status is scp.Status.TIME_LIMIT and sol.bound < sol.objective


def test_progress_rows_and_a_clear_error_without_pyscipopt(monkeypatch):
    rng = np.random.default_rng(12)
    n = 12 * 12
    data = scp.PlanningData.from_arrays(cost=rng.uniform(1, 10, n),
                                        features={f"f{j}": rng.random(n) * (rng.random(n) < 0.4) for j in range(3)},
                                        boundary=scp.boundary.grid_boundary(np.ones((12, 12), bool)))
    rows = []
    model = compile_problem(scp.Problem(data).relative_targets(0.2).boundary_penalty(1.0))
    res = solve_with(model, "scip", SolveOptions(time_limit=5, progress=lambda *row: rows.append(row)))
    assert res.x is not None and rows
    assert all(b <= inc + 1e-6 for _, inc, b, _ in rows)
    import sys

    monkeypatch.setitem(sys.modules, "pyscipopt", None)
    with pytest.raises(scp.ScpError, match=r"pip install 'scp\[scip\]'"):
        solve_with(model, "scip")


def test_a_stop_request_ends_the_solve_and_is_raised():
    # a signal sets STOP (scp's handler); SCIP is asked to stop at its next node or LP solve and
    # the interruption reaches the caller, as with HiGHS
    import threading

    from scp.solving.backends.interrupt import STOP, Interrupted, request_stop

    rng = np.random.default_rng(40)
    n = 40 * 40
    data = scp.PlanningData.from_arrays(cost=rng.uniform(1, 10, n),
                                        features={f"f{j}": rng.random(n) * (rng.random(n) < 0.4) for j in range(3)},
                                        boundary=scp.boundary.grid_boundary(np.ones((40, 40), bool)))
    model = compile_problem(scp.Problem(data).relative_targets(0.2).boundary_penalty(2.0))
    timer = threading.Timer(1.5, request_stop)
    t0 = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(Interrupted):
            solve_with(model, "scip", SolveOptions(time_limit=60))
    finally:
        timer.cancel()
        STOP.clear()
    assert time.perf_counter() - t0 < 10
