"""Annealing over zone allocations (scp.solving.zoned_annealing)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scp.model.zoned import compile_zoned
from scp.problem.zoned import ZonedProblem
from scp.results.zoned import evaluate_zoned
from scp.solving.annealing import shortfall_weights
from scp.solving.zoned_annealing import _zone_moves, anneal_zoned, zoned_arrays
from test_zones import brute_force, grid_data, rich_problem, two_zones


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), penalty=st.sampled_from([0.1, 1.0, 3.0]), floor=st.sampled_from([0.0, 0.2]),
       lock=st.booleans())
def test_annealed_allocation_is_always_feasible(seed, penalty, floor, lock):
    d = grid_data(seed, rows=4, cols=5)
    p = ZonedProblem.of(d, two_zones(d)).relative_targets(0.3).coverage(0.3, by="jurisdiction")
    if floor:
        p = p.coverage(floor, zones="strict")
    if lock:
        p = p.locked_in([0, 1], "strict").locked_out([5, 6], "oecm")
    p = p.boundary_penalty(penalty, edge_costs=[[1.0, 0.3], [0.3, 0.7]])
    alloc = anneal_zoned(p, compile_zoned(p), seed=seed, sweeps=50, chains=2)
    ev = evaluate_zoned(p, alloc)
    assert ev.feasible, ev.violations
    if lock:
        assert (alloc[[0, 1]] == 0).all() and (alloc[[5, 6]] != 1).all()


@pytest.mark.parametrize("seed", range(3))
def test_carried_objective_equals_recomputation_after_hot_moves(seed):
    p = rich_problem(seed)
    model = compile_zoned(p)
    arr, options, counts, movable = zoned_arrays(p, model)
    w = shortfall_weights(arr)
    n, z = p.data.n_pu, p.zones.n_zones
    allowed, need_some = p.allowed()
    state = np.where(need_some, np.where(allowed, p.zones.cost, np.inf).argmin(axis=1), -1).astype(np.int64)
    x = np.zeros(n * z)
    x[state[state >= 0] * n + np.flatnonzero(state >= 0)] = 1.0
    S, R = arr.S, arr.R
    nbr, held = np.asarray(S @ x).ravel(), np.asarray(R.T @ x).ravel()

    def g(xv):
        h = np.asarray(R.T @ xv).ravel()
        return float(arr.lin @ xv - 0.5 * xv @ (S @ xv) + w @ np.maximum(arr.need - h, 0.0))

    carried = np.array([0.0, g(x), 50.0])
    for chunk in range(4):
        _zone_moves(x, state, n, z, arr.lin, S.indptr, S.indices, S.data, nbr, R.indptr, R.indices, R.data, held,
                    arr.need, w, options, counts, movable, carried, 500, 50, 0.9, chunk)
        np.testing.assert_allclose(nbr, S @ x, atol=1e-9)
        np.testing.assert_allclose(held, R.T @ x, atol=1e-9)
        assert carried[1] == pytest.approx(g(x), abs=1e-7)
        assert (x.reshape(z, n).sum(axis=0) <= 1).all()
        ev = evaluate_zoned(p, state)
        assert not [v for v in ev.violations if "locked" in v or "zone they" in v]  # locks always kept


@pytest.mark.parametrize("seed", range(3))
def test_annealing_finds_the_enumerated_optimum_of_small_zoned_problems(seed):
    p = rich_problem(seed)
    alloc = anneal_zoned(p, compile_zoned(p), sweeps=2000)
    assert evaluate_zoned(p, alloc).objective == pytest.approx(brute_force(p)[0], abs=1e-9)


def test_problems_it_does_not_handle_give_none():
    d = grid_data(1)
    p = ZonedProblem.of(d, two_zones(d)).coverage(0.2).boundary_penalty(0.2).max_utility(budget=10.0)
    assert anneal_zoned(p, compile_zoned(p)) is None
    q = ZonedProblem.of(d, two_zones(d)).relative_targets(0.2).budget(50.0).boundary_penalty(0.2)
    assert anneal_zoned(q, compile_zoned(q)) is None
