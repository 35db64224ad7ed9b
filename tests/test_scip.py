"""SCIP backend (scp/solving/backends/scip.py): plain models and contiguity cuts inside its tree."""

from __future__ import annotations

import time

import numpy as np
import pytest

import scp
from bruteforce import brute_force
from scp.model import compile_problem
from scp.solving.backends import SolveOptions, solve_with
from test_contiguity import grid_data, random_grid
from test_cuts import enumerated_case

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
    (problem,), expected = enumerated_case(seed, variant, methods=("cuts",))
    for warm in (None, "heuristic"):
        sol = problem.solve("scip", warm_start=warm)
        assert sol.status is scp.Status.OPTIMAL and sol.evaluation.feasible
        assert sol.objective == pytest.approx(expected)
        assert sol.bound <= expected + 1e-6


def test_lazy_rows_are_added_inside_the_tree():
    # a model whose only constraint is lazy: x_0 + x_1 >= 1; SCIP must ask the handler, add the
    # row when it sees the empty selection, and end with the cheaper of the two units
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
    data = random_grid(30, 30)
    t0 = time.perf_counter()
    sol = scp.Problem(data).relative_targets(0.2).contiguity().solve("scip", time_limit=8, warm_start="heuristic")
    wall = time.perf_counter() - t0
    assert wall < 8 + 2
    assert sol.evaluation.feasible and sol.evaluation.n_patches == 1
    assert sol.status is scp.Status.TIME_LIMIT and sol.bound < sol.objective


def test_progress_rows_and_a_clear_error_without_pyscipopt(monkeypatch):
    data = random_grid(12, 12)
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

    data = random_grid(40, 40)
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
