"""Decision types (binary, proportion, semicontinuous) and per-unit bounds: compile, evaluate, solve."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

import scp
from scp.errors import DataError, ScenarioError
from scp.model import compile_problem


def toy(seed: int = 0, rows: int = 3, cols: int = 3, n_features: int = 3) -> scp.PlanningData:
    rng = np.random.default_rng(seed)
    n = rows * cols
    return scp.PlanningData.from_arrays(
        cost=rng.uniform(1, 10, n), features={f"f{j}": rng.uniform(0, 4, n).round(2) for j in range(n_features)},
        boundary=scp.boundary.grid_boundary(np.ones((rows, cols), bool)))


def lp_min_set(data, t, upper=1.0, lo=None, hi=None, blm=0.0):
    """The LP of a minimum-set problem written out independently: min c'x + blm (e'x - 2 sum_{i<j} b_ij y_ij)
    with y_ij <= x_i, y_ij <= x_j (the shared part of two units), R x >= t, bounds."""
    n = data.n_pu
    B = sp.csr_matrix(data.boundary)
    up = sp.triu(B, k=1).tocoo()
    k = up.nnz if blm > 0 else 0
    e = B.diagonal() + np.asarray((B - sp.diags(B.diagonal())).sum(axis=1)).ravel()
    c = np.concatenate([data.cost + blm * e, -2 * blm * up.data[:k]])
    A = [sp.hstack([-data.rij, sp.csr_matrix((data.n_features, k))])]
    b = [-t]
    if k:
        r = np.arange(k)
        for other in (up.row, up.col):
            A.append(sp.csr_matrix((np.r_[np.ones(k), -np.ones(k)], (np.r_[r, r], np.r_[n + r, other])), shape=(k, n + k)))
            b.append(np.zeros(k))
    lo = np.zeros(n) if lo is None else lo
    hi = np.full(n, upper) if hi is None else hi
    bounds = list(zip(lo, hi)) + [(0, 1)] * k
    res = linprog(c, A_ub=sp.vstack(A).toarray(), b_ub=np.concatenate(b), bounds=bounds, method="highs")
    assert res.status == 0
    return res.fun, res.x[:n]


def test_compile_sets_continuous_columns_bounds_and_locks_at_the_maximum():
    d = toy()
    p = scp.Problem(d).relative_targets(0.3).semicontinuous_decisions(0.5).locked_in([0]).locked_out([1])
    p = p.decision_bounds(np.r_[0.0, 0.0, 0.2, np.zeros(6)], np.r_[0.5, 0.5, 0.5, 0.1, np.full(5, 0.5)])
    m = compile_problem(p)
    assert not m.integrality[:9].any()
    np.testing.assert_allclose(m.col_lower[:4], [0.5, 0, 0.2, 0])
    np.testing.assert_allclose(m.col_upper[:4], [0.5, 0, 0.5, 0.1])
    assert compile_problem(scp.Problem(d).relative_targets(0.3)).integrality[:9].all()


@pytest.mark.parametrize("seed", range(3))
def test_proportion_min_set_equals_an_independent_lp(seed):
    d = toy(seed)
    p = scp.Problem(d).relative_targets(0.4).proportion_decisions()
    sol = scp.solve(p)
    fun, _ = lp_min_set(d, p.resolved_targets())
    assert sol.status is scp.Status.OPTIMAL and sol.objective == pytest.approx(fun, rel=1e-7)
    assert ((sol.shares > 0) & (sol.shares < 1)).any()  # a fractional answer: cheaper than any 0/1 one
    assert sol.objective < scp.solve(scp.Problem(d).relative_targets(0.4)).objective


@pytest.mark.parametrize("seed", range(3))
def test_proportion_with_boundary_penalty_prices_the_shared_part(seed):
    d = toy(seed)
    p = scp.Problem(d).relative_targets(0.4).proportion_decisions().boundary_penalty(0.8)
    sol = scp.solve(p)
    fun, x = lp_min_set(d, p.resolved_targets(), blm=0.8)
    assert sol.objective == pytest.approx(fun, rel=1e-6)
    assert scp.evaluate(p, x).objective == pytest.approx(fun, rel=1e-6)  # evaluate = the model at its optimum


def test_boundary_of_shares_reduces_to_marxans_for_zero_one_decisions():
    d = toy(4)
    pb = scp.Problem(d).relative_targets(0.3).boundary_penalty(1.0)
    pp = pb.proportion_decisions()
    rng = np.random.default_rng(1)
    for _ in range(10):
        x = rng.integers(0, 2, d.n_pu)
        assert scp.evaluate(pp, x.astype(float)).penalties == pytest.approx(scp.evaluate(pb, x).penalties)


def test_semicontinuous_caps_every_share_and_locked_units_sit_at_the_cap():
    d = toy(1)
    p = scp.Problem(d).relative_targets(0.3).semicontinuous_decisions(0.6).locked_in([4])
    sol = scp.solve(p)
    assert sol.shares.max() <= 0.6 + 1e-9 and sol.shares[4] == pytest.approx(0.6)
    fun, _ = lp_min_set(d, p.resolved_targets(), upper=0.6, lo=np.where(np.arange(9) == 4, 0.6, 0.0))
    assert sol.objective == pytest.approx(fun, rel=1e-7)
    with pytest.raises(DataError, match=r"\[0, 0.6\]"):
        scp.evaluate(p, np.full(d.n_pu, 0.7))


def test_max_utility_with_proportions_is_the_fractional_knapsack():
    d = toy(2, n_features=2)
    budget = 12.0
    p = scp.Problem(d).max_utility(budget).proportion_decisions()
    sol = scp.solve(p)
    value = np.asarray(d.rij.sum(axis=0)).ravel()  # weights 1: a unit's value is its summed amounts
    order = np.argsort(-value / d.cost)
    left, best = budget, 0.0
    for i in order:  # greedy by value per cost, the last one in part
        take = min(1.0, left / d.cost[i])
        best += take * value[i]
        left -= take * d.cost[i]
        if left <= 0:
            break
    assert sol.objective == pytest.approx(best, rel=1e-7)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_manual_bounds_on_binary_decisions_equal_enumeration(solver):
    d = toy(3)
    lo = np.zeros(9)
    hi = np.ones(9)
    lo[2], hi[5], hi[6] = 1.0, 0.0, 0.0
    p = scp.Problem(d).relative_targets(0.35).boundary_penalty(0.5).decision_bounds(lo, hi)
    best = np.inf
    for bits in itertools.product((0, 1), repeat=9):
        x = np.array(bits)
        if x[2] == 1 and x[5] == 0 and x[6] == 0:
            ev = scp.evaluate(p, x)
            if ev.feasible:
                best = min(best, ev.objective)
    sol = scp.solve(p, solver)
    assert sol.objective == pytest.approx(best) and sol.selection[2] and not sol.selection[[5, 6]].any()
    assert scp.evaluate(p, np.r_[0, 0, 0, np.ones(6)]).violations  # unit 2 out: a bound broken


def test_fractional_manual_bounds_hold_with_proportions():
    d = toy(5)
    lo, hi = np.zeros(9), np.ones(9)
    lo[0], hi[1] = 0.3, 0.2
    p = scp.Problem(d).relative_targets(0.3).proportion_decisions().decision_bounds(lo, hi)
    sol = scp.solve(p)
    assert sol.shares[0] >= 0.3 - 1e-9 and sol.shares[1] <= 0.2 + 1e-9
    assert sol.objective == pytest.approx(lp_min_set(d, p.resolved_targets(), lo=lo, hi=hi)[0], rel=1e-7)
    with pytest.raises(ScenarioError, match="binary decisions take bounds 0 or 1"):
        p.binary_decisions()


def test_continuous_decisions_refuse_graph_constraints_and_zones():
    d = toy()
    with pytest.raises(ScenarioError, match="binary decisions"):
        compile_problem(scp.Problem(d).relative_targets(0.3).contiguity().proportion_decisions())
    from scp.data.zones import Zones
    from scp.problem.zoned import ZonedProblem

    z = Zones.from_multipliers(d.cost, d.n_features, ("a", "b"), (1.0, 0.5))
    with pytest.raises(ScenarioError, match="binary"):
        ZonedProblem(scp.Problem(d).proportion_decisions(), z)


def test_solution_table_and_summary_carry_the_shares():
    d = toy(6)
    sol = scp.solve(scp.Problem(d).relative_targets(0.3).proportion_decisions())
    frame = sol.to_frame()
    np.testing.assert_allclose(frame["share"], sol.shares)
    assert (frame["selected"] == (sol.shares > 0)).all() and sol.summary()["decisions"] == "proportion"


def test_report_counts_areas_and_costs_pro_rata(tmp_path):
    from scenario_fixtures import base_document, write_scenario
    from scp.app.scenario.load import load_scenario
    from scp.app.scenario.run import run_scenario

    doc = base_document()
    doc["decisions"] = {"type": "proportion"}
    sol, out = run_scenario(load_scenario(write_scenario(str(tmp_path), doc)), out=str(tmp_path / "res"))
    import json

    summary = json.loads(open(f"{out}/summary.json").read())
    total = next(r for r in summary["by_jurisdiction"] if r["jurisdiction"] == "total")
    d = sol.problem.data
    assert total["cost"] == pytest.approx(float(d.cost @ sol.shares))
    assert total["selected_area"] == pytest.approx(float(d.area @ sol.shares))
    assert "managed share" in open(f"{out}/report.md").read()
    import pandas as pd

    np.testing.assert_allclose(pd.read_csv(f"{out}/solution.csv")["share"], sol.shares)


def test_cuts_portfolio_needs_binary_decisions_and_formulation_states_the_shares():
    from scp.app.scenario.formulation import formulation_text

    d = toy(7)
    p = scp.Problem(d).relative_targets(0.3).semicontinuous_decisions(0.5)
    with pytest.raises(ScenarioError, match="binary decisions"):
        scp.portfolio(p, n=2)
    assert "x_i in [0, 0.5]" in formulation_text(p)
    assert "x_i in {0, 1}" in formulation_text(scp.Problem(d).relative_targets(0.3))
