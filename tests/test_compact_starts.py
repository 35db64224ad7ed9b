"""Compact starts for one connected network (scp/solving/compact_starts.py)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import scp
from scp.problem.penalties import BoundaryPenalty
from scp.solving import compact_starts as cs
from scp.solving.connect import connect
from scp.solving.pipeline import _relaxed_selection
from test_contiguity import random_grid


def _problems(penalty: float = 0.5):
    base = scp.Problem(random_grid(10, 3)).relative_targets(0.2)
    if penalty:
        base = base.boundary_penalty(penalty)
    problem = base.contiguity()
    return problem, base


def test_stronger_boundary_scales_only_the_boundary_penalty():
    _, base = _problems()
    base = base.linear_penalty(0.7, np.ones(100))
    stronger = cs.stronger_boundary(base, 2.0)
    for before, after in zip(base.penalties, stronger.penalties):
        factor = 2.0 if isinstance(before, scp.problem.penalties.BoundaryPenalty) else 1.0
        assert after.penalty == pytest.approx(factor * before.penalty)
    x = np.random.default_rng(0).random(100) < 0.4
    e1, e2 = scp.evaluate(base, x), scp.evaluate(stronger, x)
    boundary = e1.objective - e1.cost - 0.7 * x.sum()  # the linear penalty stays as it was
    assert boundary > 0 and e2.objective - e1.objective == pytest.approx(boundary)  # the boundary term doubled


def test_joined_plans_are_connected_feasible_and_scored_with_the_original_penalty():
    problem, base = _problems()
    solved = []

    def solve_relaxed(p, seconds, gap):
        solved.append((p.penalties[0].penalty, seconds, gap))
        return _relaxed_selection(p, "highs", seconds, gap, None)

    found = cs.compact_starts(problem, base, solve_relaxed, lambda sel: connect(problem, sel),
                              lambda f: 10.0, 0.01, 0.0)
    assert [s[0] for s in solved] == pytest.approx([0.5 * m for m in cs.MULTIPLIERS])
    assert all(s[1] == 10.0 and s[2] == cs.GAP for s in solved)
    assert found
    for sel, objective in found:
        ev = scp.evaluate(problem, sel)
        assert ev.feasible and ev.n_patches == 1
        assert objective == pytest.approx(ev.objective)


def test_without_a_boundary_penalty_the_starts_add_one_sized_from_the_data():
    problem, base = _problems(penalty=0.0)
    variants = cs.compact_variants(base)
    shared = sp.triu(base.data.boundary, k=1).data
    unit = base.data.cost.mean() / shared[shared > 0].mean()
    assert len(variants) == len(cs.SYNTHETIC_FACTORS)
    for (label, variant), f in zip(variants, cs.SYNTHETIC_FACTORS):
        (penalty,) = [p for p in variant.penalties if isinstance(p, BoundaryPenalty)]
        assert penalty.penalty == pytest.approx(f * unit) and "none in the problem" in label
    found = cs.compact_starts(problem, base, lambda p, seconds, gap: _relaxed_selection(p, "highs", seconds, gap, None),
                              lambda sel: connect(problem, sel), lambda f: 10.0, 0.01, 0.0)
    assert found
    for sel, objective in found:  # scored without the added penalty
        ev = scp.evaluate(problem, sel)
        assert ev.feasible and ev.n_patches == 1 and objective == pytest.approx(ev.cost)
    free_costs = scp.PlanningData.from_arrays(cost=np.zeros(100), features={"f": np.ones(100)},
                                              boundary=base.data.boundary)
    assert cs.compact_variants(scp.Problem(free_costs).relative_targets(0.2)) == []  # nothing to size it by


def test_no_compact_starts_without_cut_contiguity_or_time():
    calls = []

    def solve_relaxed(p, seconds, gap):
        calls.append(seconds)
        return None

    problem, base = _problems()
    flow = base.contiguity(method="flow")  # contiguity by the flow rows: the cut loop does not run
    assert cs.compact_starts(flow, base, solve_relaxed, lambda s: s, lambda f: 10.0, 0.01, 0.0) == []
    # a share below MIN_LP_TIMES LP solves: nothing is solved
    assert cs.compact_starts(problem, base, solve_relaxed, lambda s: s, lambda f: 0.4, 0.1, 0.0) == []
    # without a time limit each start gets NO_LIMIT_SECONDS; a failed solve gives no plan
    assert cs.compact_starts(problem, base, solve_relaxed, lambda s: s, lambda f: None, 0.1, 0.0) == []
    assert calls == [cs.NO_LIMIT_SECONDS] * len(cs.MULTIPLIERS)


def test_the_connected_pipeline_with_a_boundary_penalty_stays_exact():
    # 3x4 grids with a boundary penalty: the compact starts only warm-start the loop, whose proven
    # optimum equals the enumeration (tests/test_cuts.py covers more seeds)
    from test_cuts import X12
    from bruteforce import connected_all, enumerate_all
    from test_contiguity import grid_data
    from scp.data.spatial import adjacency

    data = grid_data(3, 4, seed=1)
    base = scp.Problem(data).relative_targets(0.5).boundary_penalty(0.3)
    objective, feasible, _ = enumerate_all(base)
    adj = adjacency(data)
    ok = X12.any(axis=1) & connected_all(adj, X12) & feasible
    expected = float(objective[ok].min())
    sol = base.contiguity().solve(warm_start="heuristic", time_limit=30)
    assert sol.status is scp.Status.OPTIMAL and sol.evaluation.n_patches == 1
    assert sol.objective == pytest.approx(expected)
