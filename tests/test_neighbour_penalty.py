"""Neighbour penalties: a reward per pair of adjacent selected units (brute force, by hand, YAML)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import scp
from scp.errors import ScenarioError
from scp.model import compile_problem


def grid(seed: int = 0, rows: int = 3, cols: int = 3) -> scp.PlanningData:
    rng = np.random.default_rng(seed)
    n = rows * cols
    return scp.PlanningData.from_arrays(cost=rng.uniform(1, 4, n).round(2),
                                        features={f"f{j}": rng.uniform(0, 3, n).round(2) for j in range(3)},
                                        boundary=scp.boundary.grid_boundary(np.ones((rows, cols), bool)))


def test_reward_by_hand_on_a_row_of_three():
    d = grid(rows=1, cols=3)
    p = scp.Problem(d).relative_targets(0.2).neighbour_penalty(0.5)
    assert scp.evaluate(p, [1, 1, 1]).penalties["neighbours"] == pytest.approx(-1.0)  # two adjacent pairs
    assert scp.evaluate(p, [1, 0, 1]).penalties["neighbours"] == 0.0
    m = compile_problem(p)
    assert m.n_cols == 3 + 2  # one pair column per adjacent pair


@pytest.mark.parametrize("solver", ["highs", "cbc"])
@pytest.mark.parametrize("seed", range(3))
def test_optimum_equals_enumeration(seed, solver):
    d = grid(seed)
    p = scp.Problem(d).relative_targets(0.4).neighbour_penalty(1.5).boundary_penalty(0.1)
    best = np.inf
    for bits in itertools.product((0, 1), repeat=d.n_pu):
        ev = scp.evaluate(p, np.array(bits))
        if ev.feasible:
            best = min(best, ev.objective)
    sol = scp.solve(p, solver, warm_start="heuristic")
    assert sol.objective == pytest.approx(best, abs=1e-9)


def test_larger_reward_clusters_the_plan_and_bad_arguments_fail():
    d = grid(5, rows=6, cols=6)
    plain = scp.solve(scp.Problem(d).relative_targets(0.3))
    clustered = scp.solve(scp.Problem(d).relative_targets(0.3).neighbour_penalty(3.0))
    assert clustered.evaluation.n_patches <= plain.evaluation.n_patches
    with pytest.raises(ScenarioError, match="must be 4 or 8"):
        scp.Problem(d).neighbour_penalty(1.0, directions=6)
    with pytest.raises(ScenarioError):
        scp.Problem(d).neighbour_penalty(float("nan"))  # negative factors are allowed (tests/test_negative_penalties.py)


def test_neighbour_penalty_from_yaml(tmp_path):
    from scenario_fixtures import base_document, write_scenario
    from scp.app.scenario.build import build_problem, load_data
    from scp.app.scenario.load import load_scenario

    doc = base_document()
    doc["neighbour_penalty"] = {"penalty": 0.01, "directions": 8}
    s = load_scenario(write_scenario(str(tmp_path), doc)).scenario
    p = build_problem(s, load_data(s)[0])
    sol = scp.solve(p, time_limit=60)
    assert sol.evaluation.penalties["neighbours"] < 0
