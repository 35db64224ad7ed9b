"""Zones (strict, OECM, ...): compile, evaluate, solve; brute force on small grids."""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pytest

import scp
from scp.data.zones import Zones
from scp.errors import ScenarioError
from scp.model import compile_problem
from scp.model.zoned import compile_zoned, zone_pair_terms
from scp.problem.zoned import ZonedProblem
from scp.results.zoned import evaluate_zoned
from scp.solving.zoned import solve_zoned


def grid_data(seed: int, rows: int = 2, cols: int = 4, n_features: int = 3) -> scp.PlanningData:
    rng = np.random.default_rng(seed)
    n = rows * cols
    return scp.PlanningData.from_arrays(
        cost=rng.uniform(1, 10, n), features={f"f{j}": rng.integers(0, 4, n).astype(float) for j in range(n_features)},
        jurisdiction=np.where(np.arange(n) % cols < cols // 2, "A", "B"),
        boundary=scp.boundary.grid_boundary(np.ones((rows, cols), bool)))


def two_zones(data, oecm_cost=0.4, oecm_counts=0.5) -> Zones:
    return Zones.from_multipliers(data.cost, data.n_features, ("strict", "oecm"), (1.0, oecm_cost), (1.0, oecm_counts))


def brute_force(problem: ZonedProblem) -> tuple[float, np.ndarray | None]:
    """Best objective over every allocation ((Z + 1)^n of them)."""
    n, z = problem.data.n_pu, problem.zones.n_zones
    best, arg = np.inf, None
    sense = -1 if problem.objective.name == "max_utility" else 1
    for alloc in itertools.product(range(-1, z), repeat=n):
        ev = evaluate_zoned(problem, np.array(alloc, dtype=np.int64))
        if ev.feasible and sense * ev.objective < best - 1e-9:
            best, arg = sense * ev.objective, np.array(alloc)
    return sense * best, arg


@functools.lru_cache(maxsize=None)
def rich_optimum(seed: int) -> float:
    return brute_force(rich_problem(seed))[0]


def rich_problem(seed: int) -> ZonedProblem:
    d = grid_data(seed)
    return (ZonedProblem.of(d, two_zones(d)).relative_targets(0.3).zone_targets_relative("strict", {"f0": 0.15})
            .coverage(0.3, by="jurisdiction").coverage(0.1, zones="strict").locked_in([0], "strict")
            .locked_out([7], "oecm").boundary_penalty(0.7, edge_costs=[[1.0, 0.3], [0.3, 0.8]]))


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_optimum_equals_enumeration_with_zone_targets_floors_locks_and_zone_boundaries(seed, solver):
    p = rich_problem(seed)
    best = rich_optimum(seed)
    sol = solve_zoned(p, solver)
    assert sol.status is scp.Status.OPTIMAL
    assert sol.objective == pytest.approx(best, abs=1e-6)
    assert sol.allocation[0] == 0 and sol.allocation[7] != 1  # the locks


@pytest.mark.parametrize("seed", range(2))
def test_max_utility_and_min_shortfall_equal_enumeration(seed):
    d = grid_data(seed, cols=3)
    base = ZonedProblem.of(d, two_zones(d)).coverage(0.2, zones="strict").boundary_penalty(0.2)
    for p in (base.max_utility(budget=12.0), base.relative_targets(0.5).min_shortfall(budget=9.0)):
        best, _ = brute_force(p)
        assert solve_zoned(p).objective == pytest.approx(best, abs=1e-6)


def test_linearised_penalty_equals_the_edge_table_at_every_allocation():
    """e'x - sum W x x of the compiled penalty = the direct edge-cost sum of evaluate_zoned."""
    p = rich_problem(5)
    n, z = p.data.n_pu, p.zones.n_zones
    e, W = zone_pair_terms(p)
    rng = np.random.default_rng(0)
    for _ in range(200):
        s = rng.integers(-1, z, n)
        x = np.zeros((z, n))
        x[s[s >= 0], np.flatnonzero(s >= 0)] = 1.0
        x = x.ravel()
        assert e @ x - x @ (W @ x) == pytest.approx(evaluate_zoned(p, s).penalty, abs=1e-9)


@pytest.mark.parametrize("seed", range(2))
@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_connectivity_per_zone_pair_equals_enumeration(seed, solver):
    d = grid_data(seed)
    rng = np.random.default_rng(seed)
    c = rng.random((d.n_pu, d.n_pu)) * (rng.random((d.n_pu, d.n_pu)) < 0.4)
    d = d.with_connectivity("flow", c + c.T)
    p = (ZonedProblem.of(d, two_zones(d)).relative_targets(0.3).coverage(0.1, zones="strict")
         .boundary_penalty(0.3).connectivity_penalty(0.8, "flow", zone_costs=[[1.0, 0.4], [0.4, 0.6]]))
    best, _ = brute_force(p)
    assert solve_zoned(p, solver).objective == pytest.approx(best, abs=1e-6)
    e, W = zone_pair_terms(p)  # the decisions-level terms equal the state costs everywhere
    s = rng.integers(-1, 2, d.n_pu)
    x = np.zeros((2, d.n_pu))
    x[s[s >= 0], np.flatnonzero(s >= 0)] = 1.0
    x = x.ravel()
    assert e @ x - x @ (W @ x) == pytest.approx(evaluate_zoned(p, s).penalty, abs=1e-9)


def test_evaluation_derives_each_problems_parts_once_and_keeps_problems_apart():
    # evaluate_zoned keeps what it derives from a problem (held amounts, penalty edges) per problem
    # object: a problem on the same data with another penalty gets its own, and repeated evaluations agree
    d = grid_data(2)
    p = ZonedProblem.of(d, two_zones(d)).relative_targets(0.3).boundary_penalty(0.3)
    q = ZonedProblem.of(d, p.zones).relative_targets(0.3).boundary_penalty(0.9)  # same data and zones
    s = np.array([0, 1, -1, 0, 1, 1, -1, 0])
    first = evaluate_zoned(p, s).penalty
    assert evaluate_zoned(q, s).penalty == pytest.approx(3 * first) and first > 0
    assert evaluate_zoned(p, s).penalty == first
    e, W = zone_pair_terms(q)  # the compiled terms of q agree with its evaluation
    x = np.zeros((2, d.n_pu))
    x[s[s >= 0], np.flatnonzero(s >= 0)] = 1.0
    assert e @ x.ravel() - x.ravel() @ (W @ x.ravel()) == pytest.approx(evaluate_zoned(q, s).penalty, abs=1e-9)


def test_one_zone_is_the_plain_problem():
    d = grid_data(3)
    plain = scp.Problem(d).relative_targets(0.3).locked_in([1]).boundary_penalty(0.5)
    zoned = (ZonedProblem.of(d, Zones(("protected",), d.cost[:, None], np.ones((d.n_features, 1))))
             .relative_targets(0.3).locked_in([1]).boundary_penalty(0.5))
    a, b = compile_problem(plain), compile_zoned(zoned)
    assert (a.A != b.A).nnz == 0
    for attr in ("c", "col_lower", "col_upper", "row_lower", "row_upper", "integrality"):
        np.testing.assert_array_equal(getattr(a, attr), getattr(b, attr))
    sp, sz = scp.solve(plain), solve_zoned(zoned)
    assert sp.objective == pytest.approx(sz.objective, abs=1e-9)
    np.testing.assert_array_equal(sp.selection, sz.allocation == 0)


def test_oecms_make_target3_cheaper_and_the_report_counts_both():
    d = grid_data(1, rows=3, cols=4)
    strict_only = ZonedProblem.of(d, two_zones(d)).relative_targets(0.3).coverage(0.4).locked_out(
        np.ones(d.n_pu, bool), "oecm")
    mixed = ZonedProblem.of(d, two_zones(d)).relative_targets(0.3).coverage(0.4).coverage(0.1, zones="strict")
    a, b = solve_zoned(strict_only), solve_zoned(mixed)
    assert b.objective < a.objective
    ev = b.evaluation
    assert ev.coverage_target3 >= 0.4 - 1e-9 and ev.area_by_zone[0] / ev.area_total >= 0.1 - 1e-9
    assert ev.cost == pytest.approx(b.objective)
    assert set(ev.coverage_by_jurisdiction["A"]) == {"strict", "oecm", "Target 3"}


def test_restoration_zone_does_not_count_for_target3():
    d = grid_data(2, rows=2, cols=3)
    z = Zones(("strict", "restoration"), np.column_stack([d.cost, 0.1 * d.cost]), np.ones((d.n_features, 2)),
              target3=[True, False])
    p = ZonedProblem.of(d, z).relative_targets(0.2).coverage(0.5)
    sol = solve_zoned(p)
    assert sol.evaluation.area_by_zone[0] >= 0.5 * sol.evaluation.area_total - 1e-9


def test_clear_errors():
    d = grid_data(0)
    zs = two_zones(d)
    with pytest.raises(ScenarioError, match="distinct"):
        Zones(("a", "a"), np.ones((d.n_pu, 2)), np.ones((d.n_features, 2)))
    with pytest.raises(ScenarioError, match="not a finite number"):
        Zones(("a",), -np.ones((d.n_pu, 1)), np.ones((d.n_features, 1)))
    with pytest.raises(ScenarioError, match="unknown zone 'park'"):
        ZonedProblem.of(d, zs).coverage(0.1, zones="park")
    with pytest.raises(ScenarioError, match="more than both zones"):
        ZonedProblem.of(d, zs).boundary_penalty(1.0, edge_costs=[[1, 3], [3, 1]])
    with pytest.raises(ScenarioError, match="locked into a zone and out of it"):
        ZonedProblem.of(d, zs).locked_in([2], "strict").locked_out([2], "strict")
    with pytest.raises(ScenarioError, match="zone costs are given for"):
        ZonedProblem.of(d, Zones(("a",), np.ones((3, 1)), np.ones((d.n_features, 1))))


def test_single_zone_start_is_a_feasible_allocation_and_warm_starts_the_exact_solve():
    from scp.solving.zoned_start import single_zone_problem, zoned_start

    p = rich_problem(1)
    assert single_zone_problem(p, 1) is None  # unit 0 is locked into "strict", and the strict floor
    start = zoned_start(p, 0.0, None)
    ev = evaluate_zoned(p, start)
    assert ev.feasible and set(np.unique(start)) <= {-1, 0}
    assert solve_zoned(p).objective <= ev.objective + 1e-9


def test_zoned_time_limit_keeps_a_verified_allocation():
    d = grid_data(4, rows=12, cols=14, n_features=6)
    p = (ZonedProblem.of(d, two_zones(d)).relative_targets(0.3).coverage(0.3, by="jurisdiction")
         .coverage(0.1, zones="strict").boundary_penalty(1.0))
    import time as _time

    t0 = _time.perf_counter()
    sol = solve_zoned(p, time_limit=3.0)
    assert _time.perf_counter() - t0 < 3.0 + 2.0
    assert sol.evaluation.feasible and sol.status in (scp.Status.TIME_LIMIT, scp.Status.OPTIMAL)


def test_zoned_portfolio_gives_distinct_allocations_in_order_equal_to_enumeration():
    from scp.solving.zoned_portfolio import zoned_portfolio

    d = grid_data(6, cols=3)
    p = ZonedProblem.of(d, two_zones(d)).relative_targets(0.3).coverage(0.2).boundary_penalty(0.3)
    feasible = []
    for alloc in itertools.product(range(-1, 2), repeat=d.n_pu):
        ev = evaluate_zoned(p, np.array(alloc, dtype=np.int64))
        if ev.feasible:
            feasible.append(ev.objective)
    best3 = sorted(feasible)[:3]
    pf = zoned_portfolio(p, n=3, gap=0.5)
    objs = [s.objective for s in pf.solutions]
    assert objs == pytest.approx(best3, abs=1e-6)
    allocs = {tuple(s.allocation) for s in pf.solutions}
    assert len(allocs) == 3 and pf.frequency().shape == (d.n_pu, 2)


def test_zoned_replacement_cost_equals_resolving_without_the_unit():
    from scp.solving.zoned_portfolio import zoned_replacement_importance

    p = rich_problem(0)
    sol = solve_zoned(p)
    rc = zoned_replacement_importance(sol)
    assert np.isinf(rc[0])  # locked into "strict"
    for u in np.flatnonzero(sol.allocation >= 0)[1:]:
        mask = np.zeros(p.data.n_pu, bool)
        mask[u] = True
        best = np.inf
        for alloc in itertools.product(range(-1, 2), repeat=p.data.n_pu):
            a = np.array(alloc, dtype=np.int64)
            if a[u] >= 0:
                continue
            ev = evaluate_zoned(p, a)
            if ev.feasible:
                best = min(best, ev.objective)
        assert rc[u] == pytest.approx(best - sol.objective, abs=1e-6)
    assert np.isnan(rc[sol.allocation < 0]).all()


def test_presolve_names_what_cannot_be_met():
    from scp.errors import Infeasible

    d = grid_data(0)
    zs = two_zones(d)
    everyone = np.ones(d.n_pu, bool)
    cases = [
        (ZonedProblem.of(d, zs).relative_targets(0.3).zone_targets_relative("oecm", {"f1": 0.6}), "zone target"),
        (ZonedProblem.of(d, zs).relative_targets(0.3).locked_out(everyone, "strict")
         .zone_targets_relative("oecm", {"f0": 0.1}).relative_targets({"f2": 0.9}), "counts most"),
        (ZonedProblem.of(d, zs).relative_targets(0.1).coverage(0.5, zones="strict").locked_out(np.arange(d.n_pu) < 6, "strict"),
         "coverage"),
    ]
    for p, words in cases:
        with pytest.raises(Infeasible) as err:
            solve_zoned(p)
        assert words in str(err.value), str(err.value)
