"""Negative penalty factors (spreading a plan out), linearised exactly for binary decisions."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import scp
from scp.errors import ScenarioError
from scp.model import compile_problem


def grid(seed: int = 0) -> scp.PlanningData:
    rng = np.random.default_rng(seed)
    return scp.PlanningData.from_arrays(cost=rng.uniform(1, 4, 9).round(2),
                                        features={f"f{j}": rng.uniform(0, 3, 9).round(2) for j in range(3)},
                                        boundary=scp.boundary.grid_boundary(np.ones((3, 3), bool)))


def brute_force(p) -> float:
    best = np.inf
    for bits in itertools.product((0, 1), repeat=p.data.n_pu):
        ev = scp.evaluate(p, np.array(bits))
        if ev.feasible:
            best = min(best, ev.objective)
    return best


@pytest.mark.parametrize("solver", ["highs", "cbc"])
@pytest.mark.parametrize("kind", ["boundary", "neighbour", "connectivity"])
def test_negative_pair_penalties_equal_enumeration(kind, solver):
    d = grid(1)
    base = scp.Problem(d).relative_targets(0.4)
    if kind == "boundary":
        p = base.boundary_penalty(-0.3)
    elif kind == "neighbour":
        p = base.neighbour_penalty(-1.0)
    else:
        d2 = d.with_connectivity("c", d.boundary)
        p = scp.Problem(d2).relative_targets(0.4).connectivity_penalty(-0.3, "c")
    m = compile_problem(p)
    assert "pair_aux_cost" in m.col_tags()
    sol = scp.solve(p, solver, warm_start="heuristic")
    assert sol.objective == pytest.approx(brute_force(p), abs=1e-9)


def test_negative_neighbour_penalty_spreads_the_plan():
    d = grid(2)
    apart = scp.solve(scp.Problem(d).relative_targets(0.3).neighbour_penalty(-5.0))
    A = scp.spatial.adjacency(d).tocoo()
    together = apart.selection[A.row] & apart.selection[A.col]
    assert not together.any()  # no two selected units side by side when it costs 5 a pair


def test_negative_pair_penalties_need_binary_decisions_and_the_pairs_formulation():
    d = grid()
    p = scp.Problem(d).relative_targets(0.3).neighbour_penalty(-1.0)
    with pytest.raises(ScenarioError, match="pairs"):
        compile_problem(p, "compact")
    with pytest.raises(ScenarioError, match="binary decisions"):
        compile_problem(p.proportion_decisions())
    with pytest.raises(ScenarioError, match="finite"):
        scp.Problem(d).boundary_penalty(float("inf"))
