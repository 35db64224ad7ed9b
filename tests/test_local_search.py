"""The compiled local search and the single deadline of a solve."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import scp
from scp.solving.deadline import EXIT_MARGIN, MIN_SOLVE, Deadline, command_deadline, output_reserve
from scp.solving.heuristic import greedy_selection
from scp.solving.local_search import _anneal_chunk, local_search, problem_arrays

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def problem(seed: int, side: int = 6, penalty: float = 1.0, coverage: float | None = 0.3,
            connectivity: bool = False) -> scp.Problem:
    rng = np.random.default_rng(seed)
    n = side * side
    jur = np.where(np.arange(n) % side < side // 2, "A", "B")
    conn = {}
    if connectivity:
        c = rng.random((n, n)) * (rng.random((n, n)) < 0.1)
        conn = {"c": (c + c.T) / 2}
    d = scp.PlanningData.from_arrays(cost=rng.uniform(1, 10, n),
                                     features={f"f{j}": rng.integers(0, 4, n).astype(float) for j in range(4)},
                                     jurisdiction=jur, connectivity=conn,
                                     boundary=scp.boundary.grid_boundary(np.ones((side, side), bool)))
    p = scp.Problem(d).relative_targets(0.3).locked_in([0, 5]).locked_out([n - 1, n - 2])
    if coverage:
        p = p.coverage(coverage, by="jurisdiction")
    if penalty:
        p = p.boundary_penalty(penalty)
    if connectivity:
        p = p.connectivity_penalty(0.5, "c")
    return p


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), penalty=st.sampled_from([0.0, 0.5, 3.0]),
       coverage=st.sampled_from([None, 0.2, 0.45]), connectivity=st.booleans())
def test_local_search_never_returns_an_infeasible_selection(seed, penalty, coverage, connectivity):
    p = problem(seed, penalty=penalty, coverage=coverage, connectivity=connectivity)
    x0 = greedy_selection(p)
    r = local_search(p, x0, seed=seed, sweeps=50, chains=2)
    ev = scp.evaluate(p, r.selection)
    assert ev.feasible, ev.violations
    assert r.selection[[0, 5]].all() and not r.selection[[-1, -2]].any()  # locks kept
    assert ev.objective == pytest.approx(r.objective, rel=1e-9, abs=1e-9)  # bookkeeping = re-evaluation
    assert ev.objective <= scp.evaluate(p, x0).objective + 1e-9  # never worse than the start


@pytest.mark.parametrize("seed", range(4))
def test_incremental_bookkeeping_equals_full_reevaluation_after_random_moves(seed):
    p = problem(seed, side=7, penalty=2.0, connectivity=True)
    arr = problem_arrays(p)
    x = greedy_selection(p).astype(np.float64)
    S, R = arr.S, arr.R
    nbr = np.asarray(S @ x).ravel()
    held = np.asarray(R.T @ x).ravel()
    obj = float(arr.lin @ x - 0.5 * x @ nbr)
    state = np.array([0.0, obj, 5.0])  # hot: many moves accepted
    movable = np.zeros(x.size, dtype=np.bool_)
    movable[arr.free] = True
    for chunk in range(5):
        _anneal_chunk(x, arr.lin, S.indptr, S.indices, S.data, nbr, R.indptr, R.indices, R.data, held, arr.need,
                      arr.free, movable, np.zeros(R.shape[1]), state, 3000, 0.999, chunk)
        np.testing.assert_allclose(nbr, S @ x, atol=1e-9)
        np.testing.assert_allclose(held, R.T @ x, atol=1e-9)
        ev = scp.evaluate(p, x > 0.5)
        assert ev.feasible and ev.objective == pytest.approx(state[1], abs=1e-7)


def test_same_seed_same_answer():
    p = problem(11, side=9, penalty=2.0)
    x0 = greedy_selection(p)
    a = local_search(p, x0, seed=3, sweeps=200, chains=2)
    b = local_search(p, x0, seed=3, sweeps=200, chains=2)
    np.testing.assert_array_equal(a.selection, b.selection)
    assert a.objective == b.objective


def test_local_search_is_no_worse_than_the_optimum_and_helps():
    p = problem(5, side=8, penalty=2.0)
    x0 = greedy_selection(p)
    r = local_search(p, x0, sweeps=300)
    opt = scp.solve(p).objective
    ev = scp.evaluate(p, r.selection)
    assert opt - 1e-9 <= ev.objective <= scp.evaluate(p, x0).objective


def test_unsupported_problems_are_left_alone():
    p = problem(1).budget(1000.0)
    assert local_search(p, greedy_selection(problem(1))) is None


def test_deadline_shares_and_reserve():
    d = Deadline(10.0, reserve=2.0, start=time.perf_counter())
    assert 7.9 < d.remaining() <= 8.0 and d.share(0.5) == pytest.approx(d.remaining() / 2, abs=1e-3)
    assert Deadline(None).remaining() is None and Deadline(None).share(0.5) is None
    assert Deadline(1.0, start=time.perf_counter() - 5).expired()
    assert output_reserve(None) == 0 and output_reserve(10) == 1.5 and output_reserve(1000) == 20


def test_reserve_by_units_and_a_command_deadline_shorter_than_its_fixed_costs():
    assert output_reserve(1, n_units=2_000) == pytest.approx(0.66) and output_reserve(10, n_units=2_000) == 0.8
    assert output_reserve(10, n_units=100_000) == pytest.approx(8.5)
    assert output_reserve(1_000, n_units=2_000) == 20 and output_reserve(None, n_units=10) == 0
    now = time.perf_counter()
    assert command_deadline(60.0, now, 1.5).reserve == 1.5  # enough time: the deadline as asked
    assert command_deadline(None, now, 0.0).remaining() is None
    # 0.5 s asked, 0.7 s already gone in start-up and loading, 0.66 s to write: a short solve in the grace
    start = now - 0.7
    d = command_deadline(0.5, start, 0.66)
    assert MIN_SOLVE - 0.05 <= d.remaining() <= MIN_SOLVE
    assert d.at + 0.66 <= start + 0.5 + 2.0 - EXIT_MARGIN + 1e-9  # writing still ends within the grace
    # writing alone would fill the grace: less solving, never a later end
    d = command_deadline(0.5, start, 1.9)
    assert d.remaining() <= max(0.0, start + 0.5 + 2.0 - EXIT_MARGIN - 1.9 - time.perf_counter()) + 1e-6
    assert command_deadline(0.5, now - 3.0, 0.66).remaining() == 0  # the grace is spent: no solve at all


def test_api_time_limit_covers_the_whole_solve():
    rng = np.random.default_rng(0)
    side = 60
    n = side * side
    data = scp.PlanningData.from_arrays(cost=rng.uniform(1, 10, n),
                                        features={f"f{j}": rng.random(n) * (rng.random(n) < 0.3) for j in range(20)},
                                        boundary=scp.boundary.grid_boundary(np.ones((side, side), bool)))
    p = scp.Problem(data).relative_targets(0.3).boundary_penalty(2.0)
    t0 = time.perf_counter()
    sol = scp.solve(p, gap=0.0, time_limit=4.0, warm_start="heuristic")
    wall = time.perf_counter() - t0
    assert wall <= 4.0 + 2.0, wall
    assert sol.status is scp.Status.TIME_LIMIT and sol.evaluation.feasible and sol.gap > 0


def test_command_time_limit_covers_loading_and_writing(tmp_path):
    from scenario_fixtures import base_document, write_landscape

    write_landscape(str(tmp_path), rows=70, cols=90)
    doc = base_document()
    doc["solver"] = {"name": "highs", "gap": 0.0}
    (tmp_path / "slow.yaml").write_text(yaml.safe_dump(doc))
    limit = 5.0
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "scp.app.cli", "run", str(tmp_path / "slow.yaml"), "--out",
                           str(tmp_path / "res"), "--time-limit", str(limit), "--quiet"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    wall = time.perf_counter() - t0
    assert proc.returncode == 0, proc.stderr[-800:]
    assert wall <= limit + max(2.0, 0.05 * limit), (wall, proc.stderr[-500:])
    assert "status time_limit" in proc.stdout and (tmp_path / "res" / "summary.json").is_file()
