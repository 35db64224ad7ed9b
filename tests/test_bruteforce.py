"""Property tests: the solvers' optimum equals brute-force enumeration on random small problems."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scp
from bruteforce import brute_force


@st.composite
def problems(draw, objective: str = "any"):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    rows, cols = draw(st.sampled_from([(1, 4), (2, 3), (2, 4), (3, 3), (3, 4), (2, 6), (2, 7), (1, 14), (3, 5)]))
    n = rows * cols
    n_feat = draw(st.integers(1, 3))
    amounts = rng.integers(0, 5, size=(n_feat, n)) * (rng.random((n_feat, n)) < 0.7)
    amounts[:, rng.integers(0, n)] += 1  # every feature present somewhere
    status = np.zeros(n, dtype=np.int8)
    if draw(st.booleans()):
        status[rng.choice(n, size=2, replace=False)] = [1, 2]
    jur = np.where(np.arange(n) < n // 2, "A", "B")
    conn = sp.random(n, n, density=0.2, random_state=rng, data_rvs=lambda k: rng.integers(1, 4, k)).tocsr()
    data = scp.PlanningData.from_arrays(
        cost=rng.integers(1, 20, n).astype(float),
        features={f"f{j}": amounts[j].astype(float) for j in range(n_feat)},
        area=rng.integers(1, 4, n).astype(float), jurisdiction=jur, status=status,
        boundary=scp.boundary.grid_boundary(np.ones((rows, cols), bool)), connectivity={"c": conn},
    )
    p = scp.Problem(data)
    kind = draw(st.sampled_from(["min_set", "max_utility", "min_shortfall"])) if objective == "any" else objective
    total_cost = float(data.cost.sum())
    if kind == "min_set":
        p = p.min_set().relative_targets(draw(st.sampled_from([0.1, 0.3, 0.5, 0.8])))
        if n_feat > 1 and draw(st.booleans()):  # one target over the first two features together
            p = p.group_target("pair", ["f0", "f1"], relative=draw(st.sampled_from([0.4, 0.7])))
        if draw(st.booleans()):
            p = p.coverage(draw(st.sampled_from([0.2, 0.3])), by=draw(st.sampled_from([None, "jurisdiction"])))
    elif kind == "max_utility":
        p = p.max_utility(budget=draw(st.sampled_from([0.2, 0.4, 0.7])) * total_cost)
    elif kind == "min_largest_shortfall":
        p = p.min_largest_shortfall(budget=draw(st.sampled_from([0.2, 0.4])) * total_cost,
                                    weights={"f0": draw(st.sampled_from([1.0, 3.0]))}).relative_targets(0.5)
    elif kind == "min_penalties":
        p = p.min_penalties(budget=draw(st.sampled_from([0.4, 0.7])) * total_cost).relative_targets(0.3)
        p = p.boundary_penalty(draw(st.sampled_from([0.5, 2.0])))  # something to minimise
    elif kind == "max_cover":
        p = p.max_cover(budget=draw(st.sampled_from([0.1, 0.2, 0.4])) * total_cost,
                        weights={"f0": draw(st.sampled_from([1.0, 3.0]))})
    elif kind == "max_features_met":
        p = p.max_features_met(budget=draw(st.sampled_from([0.2, 0.4, 0.6])) * total_cost,
                               weights={"f0": draw(st.sampled_from([1.0, 2.5]))}
                               ).relative_targets(draw(st.sampled_from([0.3, 0.5])))
    else:
        p = p.min_shortfall(budget=draw(st.sampled_from([0.2, 0.4])) * total_cost).relative_targets(0.5)
    if draw(st.booleans()):
        p = p.boundary_penalty(draw(st.sampled_from([0.5, 1.0, 3.0])), edge_factor=draw(st.sampled_from([0.0, 0.5, 1.0])))
    if draw(st.booleans()):
        p = p.connectivity_penalty(draw(st.sampled_from([0.5, 2.0])), "c", asymmetric=draw(st.booleans()))
    if draw(st.booleans()):  # a footprint layer, negative values (benefits) included
        p = p.linear_penalty(draw(st.sampled_from([0.5, 2.0])), np.round(rng.normal(1.0, 2.0, n), 2), "footprint")
    return p


def check_against_brute_force(p: scp.Problem, solver: str) -> float | None:
    expected = brute_force(p)
    if expected is None:
        with pytest.raises(scp.Infeasible):
            p.solve(solver)
        return None
    best, feasible = expected
    sol = p.solve(solver)
    assert sol.status is scp.Status.OPTIMAL
    assert sol.objective == pytest.approx(best, rel=1e-7, abs=1e-7)
    assert sol.solver_objective == pytest.approx(best, rel=1e-6, abs=1e-6)
    code = int(np.dot(sol.selection.astype(np.int64), 1 << np.arange(p.data.n_pu)))
    assert feasible[code], "solver's selection is not feasible by enumeration"
    assert sol.evaluation.feasible
    return sol.objective


SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


@settings(max_examples=60, **SETTINGS)
@given(problems())
def test_highs_equals_brute_force(p):
    check_against_brute_force(p, "highs")


@settings(max_examples=25, **SETTINGS)
@given(problems())
def test_cbc_equals_brute_force_and_highs(p):
    a = check_against_brute_force(p, "cbc")
    if a is not None:
        assert p.solve("highs").objective == pytest.approx(a, rel=1e-7, abs=1e-7)


@pytest.mark.parametrize("objective", ["min_largest_shortfall", "max_features_met", "max_cover", "min_penalties"])
@pytest.mark.parametrize("solver", ["highs", "cbc"])
@settings(max_examples=15, **SETTINGS)
@given(data=st.data())
def test_more_objectives_equal_brute_force(objective, solver, data):
    from hypothesis import note

    p = data.draw(problems(objective=objective))
    m = scp.compile_problem(p)
    note(f"amounts {p.data.rij.toarray().tolist()} rows {m.row_tags()} lo {m.row_lower.tolist()} up "
         f"{m.row_upper.tolist()} cl {m.col_lower.tolist()} cu {m.col_upper.tolist()} c {m.c.tolist()} "
         f"A {m.A.toarray().tolist()}")
    check_against_brute_force(p, solver)


def test_pulp_generic_path_matches():
    rng = np.random.default_rng(3)
    data = scp.PlanningData.from_arrays(cost=rng.integers(1, 9, 9).astype(float),
                                        features={"a": rng.integers(0, 4, 9).astype(float) + 1},
                                        boundary=scp.boundary.grid_boundary(np.ones((3, 3), bool)))
    p = scp.Problem(data).relative_targets(0.4).boundary_penalty(1.0)
    best, _ = brute_force(p)
    sol = p.solve("pulp:HiGHS")
    assert sol.solver == "pulp:HiGHS" and sol.objective == pytest.approx(best)
