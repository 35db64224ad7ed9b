"""Infeasibility explained in domain words, and errors for bad problem components."""

from __future__ import annotations

import numpy as np
import pytest

import scp
from bruteforce import all_selections, brute_force
from scp import Infeasible, ScenarioError


def small(status=None):
    return scp.PlanningData.from_arrays(
        cost=[1.0, 2.0, 3.0, 4.0], features={"markhor": [1.0, 1.0, 0.0, 2.0], "urial": [0, 1.0, 1.0, 0]},
        ids=[1, 2, 3, 4], area=[1.0, 1.0, 1.0, 1.0], jurisdiction=["TKM", "TKM", "UZB", "UZB"], status=status)


def test_target_above_reachable_names_feature_and_amounts():
    p = scp.Problem(small(status=[0, 0, 0, 2])).absolute_targets({"markhor": 3.0})
    with pytest.raises(Infeasible) as err:
        p.solve()
    msg = str(err.value)
    assert "feature 'markhor' is 3" in msg and "at most 2" in msg and "short by 1" in msg


def test_budget_below_locked_in_cost():
    p = scp.Problem(small(status=[1, 1, 0, 0])).max_utility(budget=2.5)
    with pytest.raises(Infeasible, match=r"budget 2.5 is below the cost of the locked-in units \(3\)"):
        p.solve()
    p = scp.Problem(small()).relative_targets(0.1).locked_in([3]).budget(2)
    with pytest.raises(Infeasible, match="budget 2 is below"):
        p.solve()


def test_coverage_unattainable_per_jurisdiction():
    p = scp.Problem(small()).relative_targets(0.1).locked_out([3, 4]).coverage(0.3, by="jurisdiction")
    with pytest.raises(Infeasible, match="coverage of 30% of jurisdiction 'UZB' needs area 0.6 but"):
        p.solve()
    assert scp.infeasibility_reasons(p)  # the same reasons without solving


def test_joint_infeasibility_found_by_solver():
    # each target alone is reachable, but not within the budget
    p = scp.Problem(small()).relative_targets(1.0).budget(3)
    assert scp.infeasibility_reasons(p) == []
    with pytest.raises(Infeasible, match="conflict together"):
        p.solve()


@pytest.mark.parametrize(
    "build, path",
    [
        (lambda p: p.relative_targets(1.4), "targets.all.relative: 1.4 is not in [0, 1]"),
        (lambda p: p.relative_targets({"markhor": -0.1}), "targets.markhor.relative"),
        (lambda p: p.absolute_targets(-1), "targets.all.absolute"),
        (lambda p: p.coverage(30), "coverage.fraction: 30.0 is not in [0, 1]"),
        (lambda p: p.coverage(0.3, by=["KAZ"]), "coverage.by: unknown jurisdiction(s) ['KAZ']"),
        (lambda p: p.boundary_penalty(float("nan")), "boundary.penalty"),  # negative: allowed (spreads a plan)
        (lambda p: p.connectivity_penalty(1.0), "connectivity.matrix"),
        (lambda p: p.budget(float("nan")), "budget"),
        (lambda p: p.max_utility(budget=-3), "objective.budget"),
        (lambda p: p.max_utility(budget=3, weights={"ibex": 1}), "objective.weights.ibex"),
        (lambda p: p.linear_constraint([1, 2], "<=", 1), "2 coefficients for 4 PUs"),
        (lambda p: p.linear_constraint([1, 2, 3, 4], "<", 1), "sense '<'"),
        (lambda p: p.locked_in([99]), "locked_in: unknown PU id(s) [99]"),
        (lambda p: p.locked_in([1]).locked_out([1]), "both locked in and locked out"),
    ],
)
def test_bad_components_name_their_path(build, path):
    with pytest.raises(ScenarioError) as err:
        build(scp.Problem(small()))
    assert path in str(err.value)


def test_boundary_penalty_without_boundary_matrix():
    with pytest.raises(ScenarioError, match="no boundary matrix"):
        scp.Problem(small()).boundary_penalty(1.0)


def test_min_set_needs_targets_and_max_utility_refuses_them():
    with pytest.raises(ScenarioError, match="needs targets"):
        scp.compile_problem(scp.Problem(small()))
    with pytest.raises(ScenarioError, match="does not use targets"):
        scp.compile_problem(scp.Problem(small()).max_utility(3).relative_targets(0.2))


def test_extreme_coefficients_warn():
    d = scp.PlanningData.from_arrays(cost=[1e-6, 1e6], features={"a": [1e-5, 1e6]})
    with pytest.warns(scp.ScpWarning, match="rescale"):
        scp.Problem(d).relative_targets(0.5).solve()


def test_necessary_units_are_those_no_feasible_selection_can_do_without():
    from scp.model.presolve import necessary_units
    amounts = np.array([[5.0, 3.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]])
    data = scp.PlanningData.from_arrays(cost=np.ones(4), features={"a": amounts[0], "b": amounts[1]},
                                        status=np.array([0, 0, 0, 2], np.int8))
    # "a": 9 available (unit 3 locked out); target 5 needs unit 0 (4 without it) but not unit 1 (6)
    assert necessary_units(scp.Problem(data).absolute_targets({"a": 5.0})).tolist() == [True, False, False, False]
    # a target the other units reach within the evaluation's tolerance makes no unit necessary
    assert not necessary_units(scp.Problem(data).absolute_targets({"a": 4.0 + 3e-6})).any()
    assert scp.evaluate(scp.Problem(data).absolute_targets({"a": 4.0 + 3e-6}), np.array([0, 1, 1, 0], bool)).feasible
    assert necessary_units(scp.Problem(data).absolute_targets({"a": 4.0 + 1e-4})).tolist()[0]
    # every available unit of "b" is needed for 3 of 3; the locked-out unit never is
    assert necessary_units(scp.Problem(data).absolute_targets({"b": 3.0})).tolist() == [True, True, True, False]
    # a negative amount can be left out: unit 2 is not needed for 5 of "s" (units 0 and 2 give 9)
    signed = scp.PlanningData.from_arrays(cost=np.ones(4), features={"s": [5.0, -3.0, 4.0, 1.0]},
                                          status=np.array([0, 0, 0, 2], np.int8), negative_features=["s"])
    assert necessary_units(scp.Problem(signed).absolute_targets({"s": 5.0})).tolist() == [True, False, False, False]
    # every selection brute force calls feasible holds every necessary unit
    for problem in (scp.Problem(data).absolute_targets({"a": 5.0, "b": 2.0}),
                    scp.Problem(data).absolute_targets({"b": 3.0}),
                    scp.Problem(signed).absolute_targets({"s": 5.0})):
        _, feasible = brute_force(problem)
        need = necessary_units(problem)
        assert feasible.any() and all(x[need].all() for x in all_selections(4)[feasible])
