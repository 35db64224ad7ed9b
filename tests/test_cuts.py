"""Contiguity by separator cuts: the cuts are valid and violated, the joining heuristic keeps
selections feasible, and the cut loop's optimum equals brute force on every subset of a 3x4 grid
(with and without a root, per feature, with a boundary penalty), as the flow formulation does."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse.csgraph import connected_components

import scp
from bruteforce import all_selections, connected_all, enumerate_all, rooted_all
from scp.data.spatial import adjacency, parts
from scp.model.cuts import cut_rows, separator_cuts
from scp.solving.connect import connect, prune
from test_contiguity import grid_data, random_grid

X12 = all_selections(12).astype(bool)


def connected(adj, sel: np.ndarray, allowed: np.ndarray | None = None) -> bool:
    """Whether the selected (allowed) units form at most one piece."""
    keep = sel if allowed is None else sel & allowed
    idx = np.flatnonzero(keep)
    return idx.size <= 1 or connected_components(adj[idx][:, idx], directed=False)[0] == 1


def rooted(adj, sel: np.ndarray, roots: np.ndarray) -> bool:
    """Whether every piece of the selection holds a root."""
    lab = parts(adj, sel)
    return set(np.unique(lab[lab >= 0])) <= set(np.unique(lab[roots & (lab >= 0)]))


def test_vectorised_piece_checks_equal_the_per_selection_ones():
    # the enumerations below use the vectorised checks of bruteforce.py; here they meet
    # scipy's connected components, one selection at a time, on every subset of the 3x4 grid
    adj = adjacency(grid_data(3, 4))
    hold = np.random.default_rng(0).random(12) < 0.6
    roots = np.zeros(12, bool)
    roots[[0, 7]] = True
    np.testing.assert_array_equal(connected_all(adj, X12), [connected(adj, x) for x in X12])
    np.testing.assert_array_equal(connected_all(adj, X12, hold), [connected(adj, x, hold) for x in X12])
    np.testing.assert_array_equal(rooted_all(adj, X12, roots), [rooted(adj, x, roots) for x in X12])
    assert 0 < connected_all(adj, X12).sum() < 4096


def test_cuts_are_violated_and_valid_for_every_connected_subset_of_3x4():
    data = grid_data(3, 4)
    adj = adjacency(data)
    ok = connected_all(adj, X12)
    for x in X12[~ok][::7]:  # every 7th disconnected subset
        cuts = separator_cuts(adj, x)
        assert cuts
        A, rhs = cut_rows(cuts, 12)
        assert (A @ x.astype(float) > rhs + 1e-9).all()  # each cut cuts off this selection
        lhs = X12[ok].astype(float) @ A.T.toarray()
        assert (lhs <= rhs + 1e-9).all()  # and no connected selection


def test_root_cuts_are_violated_and_valid():
    data = grid_data(3, 4)
    adj = adjacency(data)
    roots = np.zeros(12, bool)
    roots[[0, 11]] = True
    ok = X12[:, roots].all(axis=1) & rooted_all(adj, X12, roots)
    for x in X12[(~ok) & X12[:, roots].all(axis=1)]:
        A, rhs = cut_rows(separator_cuts(adj, x, roots=roots), 12)
        assert A.shape[0] and (A @ x.astype(float) > rhs + 1e-9).all()
        assert (X12[ok].astype(float) @ A.T.toarray() <= rhs + 1e-9).all()


def test_feature_cuts_use_only_the_units_holding_the_feature():
    data = grid_data(3, 4)
    adj = adjacency(data)
    hold = np.zeros(12, bool)
    hold[[0, 1, 2, 3, 4, 8]] = True  # an L of holders
    ok = connected_all(adj, X12, hold)
    for x in X12[~ok][::5]:
        cuts = separator_cuts(adj, x, allowed=hold)
        for c in cuts:
            assert hold[c.separator].all() and hold[c.i] and hold[c.j]
        A, rhs = cut_rows(cuts, 12)
        assert (A @ x.astype(float) > rhs + 1e-9).all()
        assert (X12[ok].astype(float) @ A.T.toarray() <= rhs + 1e-9).all()


def test_connect_joins_along_the_cheapest_chain():
    # 1x5 strip: the ends are selected; joining them must add the middle three
    cost = np.array([1.0, 5.0, 1.0, 5.0, 1.0, 9.0, 1.0, 1.0, 1.0, 9.0])
    data = scp.PlanningData.from_arrays(cost=cost, features={"a": np.ones(10)},
                                        boundary=scp.boundary.grid_boundary(np.ones((2, 5), bool)))
    p = scp.Problem(data).absolute_targets(0.0).contiguity().locked_in([0, 4])  # the ends must stay
    sel = np.zeros(10, bool)
    sel[[0, 4]] = True
    out = connect(p, sel)
    # row 0: 1 5 1 5 1 / row 1: 9 1 1 1 9: the cheap way runs 0 -> 1 -> 2 -> 3 -> 4 through row 0 (cost 11)
    # or 0 -> 5 -> 6 -> 7 -> 8 -> 9 -> 4 (cost 21); it picks row 0
    assert out[[0, 1, 2, 3, 4]].all() and not out[5:].any()
    assert scp.evaluate(p, out).feasible


def test_prune_drops_what_no_constraint_needs():
    # a connected 2x5 selection of everything, one feature in the left column only: pruning keeps
    # a connected set that still holds the target and drops the dear units it can
    cost = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 1.0, 2.0, 3.0, 4.0, 5.0])
    data = scp.PlanningData.from_arrays(cost=cost, features={"a": np.eye(10)[0] + np.eye(10)[5]},
                                        boundary=scp.boundary.grid_boundary(np.ones((2, 5), bool)))
    p = scp.Problem(data).absolute_targets({"a": 2.0}).contiguity()
    out = prune(p, np.ones(10, bool))
    assert out.tolist() == [True, False, False, False, False, True, False, False, False, False]
    assert scp.evaluate(p, out).feasible


def enumerated_case(seed: int, variant: str, methods=("cuts", "flow")) -> tuple[list, float]:
    """A 3x4 problem with contiguity of the whole selection (``"selection_locked"``: with units 0
    and 7 locked in, so the root is fixed on unit 0; ``"selection_needed"``: a feature only unit 5
    holds, so the root is fixed there), to the locked-in units (units 0 and 7) or of
    feature "b" (boundary penalty on odd seeds), one per method, and its optimum by enumeration of
    all 4,096 selections."""
    status = np.zeros(12, np.int8)
    if variant in ("locked_in", "selection_locked"):
        status[[0, 7]] = 1
    data = grid_data(3, 4, seed=seed, status=status)
    rng = np.random.default_rng(seed)
    features = {"a": data.rij.toarray()[0], "b": (rng.random(12) < 0.5) * 2.0}
    if variant == "selection_needed":  # only unit 5 holds "c": every feasible selection holds it
        features["c"] = np.eye(12)[5]
    data = scp.PlanningData.from_arrays(cost=data.cost, features=features, boundary=data.boundary, status=status)
    base = scp.Problem(data).relative_targets(0.5)
    if seed % 2:
        base = base.boundary_penalty(0.3)
    objective, feasible, _ = enumerate_all(base)
    adj = adjacency(data)
    if variant in ("selection", "selection_locked", "selection_needed"):
        ok = X12.any(axis=1) & connected_all(adj, X12)
        problems = [base.contiguity(method=m) for m in methods]
    elif variant == "locked_in":
        ok = rooted_all(adj, X12, status == 1)
        problems = [base.contiguity("locked_in", m) for m in methods]
    else:
        ok = connected_all(adj, X12, data.rij.toarray()[1] > 0)
        problems = [base.feature_contiguity("b")]
    return problems, float(objective[ok & feasible].min())


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("variant", ["selection", "selection_locked", "selection_needed", "locked_in", "feature"])
def test_cut_loop_optimum_equals_brute_force_on_3x4(seed, variant):
    problems, expected = enumerated_case(seed, variant)
    for p in problems:
        for solver in ("highs", "cbc"):
            sol = p.solve(solver)
            assert sol.objective == pytest.approx(expected) and sol.evaluation.feasible
            assert sol.status is scp.Status.OPTIMAL


def test_cut_loop_with_the_heuristic_start_and_a_time_limit():
    p = scp.Problem(random_grid(10, 3)).relative_targets(0.2).contiguity()
    sol = p.solve(time_limit=3, warm_start="heuristic")
    assert sol.evaluation.feasible and sol.evaluation.n_patches == 1  # a connected plan, verified
    assert sol.bound <= sol.objective + 1e-9 and sol.status in (scp.Status.OPTIMAL, scp.Status.WITHIN_GAP,
                                                                 scp.Status.TIME_LIMIT)


def test_scenario_keys(tmp_path):
    import yaml

    from scenario_fixtures import base_document, write_scenario
    from scp.app.scenario.build import build_problem, load_data
    from scp.app.scenario.load import load_scenario

    doc = base_document()
    doc["contiguity"] = {"mode": "locked_in", "method": "flow"}
    doc["feature_contiguity"] = ["woodland"]
    s = load_scenario(write_scenario(str(tmp_path), doc)).scenario
    data, _ = load_data(s)
    p = build_problem(s, data)
    kinds = {type(c).__name__: c for c in p.constraints}
    assert kinds["Contiguity"].mode == "locked_in" and kinds["Contiguity"].method == "flow"
    assert kinds["FeatureContiguity"].names == ("woodland",)
    doc["feature_contiguity"] = ["woodlands"]
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(doc))
    with pytest.raises(scp.ScenarioError, match="feature_contiguity.*did you mean 'woodland'"):
        build_problem(load_scenario(str(tmp_path / "bad.yaml")).scenario, data)


def _rooted_rows_hold(A, rhs, x: np.ndarray, root: int | None) -> bool:
    """Whether selection ``x`` with its root column on unit ``root`` satisfies rows ``A v <= rhs``
    over 12 unit columns then 12 root columns."""
    v = np.zeros(24)
    v[:12] = x
    if root is not None:
        v[12 + root] = 1.0
    return bool((A @ v <= rhs + 1e-9).all())


def test_rooted_part_cuts_cut_off_every_disconnected_subset_and_no_connected_one():
    from scp.model.cuts import part_root_cuts

    adj = adjacency(grid_data(3, 4))
    ok = connected_all(adj, X12)
    every = []
    for x in X12[~ok]:
        cuts = part_root_cuts(adj, x, every_unit=True)
        A, rhs = cut_rows(cuts, 24, root_start=12)
        # wherever the root sits (or none), some cut is violated
        assert not any(_rooted_rows_hold(A, rhs, x.astype(float), k) for k in [None, *np.flatnonzero(x)])
        every += cuts
    A, rhs = cut_rows(every, 24, root_start=12)
    for x in X12[ok & X12.any(axis=1)]:
        # a connected selection with its root on any of its units satisfies all of them
        assert all(_rooted_rows_hold(A, rhs, x.astype(float), k) for k in np.flatnonzero(x))
    with pytest.raises(ValueError, match="root columns"):
        cut_rows(every[:1], 24)


@pytest.mark.parametrize("seed", range(6))
def test_fractional_rooted_cuts_are_violated_by_the_point_and_valid(seed):
    from scp.model.root_separation import component_cuts, flow_cuts

    adj = adjacency(grid_data(3, 4))
    rng = np.random.default_rng(seed)
    x = np.round(rng.random(12) * (rng.random(12) < 0.7), 3)
    r = np.zeros(12)
    r[rng.integers(12)] = 0.3 * rng.random()
    r = np.minimum(r, x)
    cuts = component_cuts(adj, x, r) + flow_cuts(adj, x, r)
    ok = connected_all(adj, X12) & X12.any(axis=1)
    A, rhs = cut_rows(cuts, 24, root_start=12)
    point = np.concatenate([x, r])
    assert (A @ point > rhs + 1e-4).all()  # each cut is violated by the point
    for s in X12[ok]:
        assert all(_rooted_rows_hold(A, rhs, s.astype(float), k) for k in np.flatnonzero(s))


def test_flow_cuts_find_the_minimum_separator():
    # a 1x5 strip, x = (1, 0.3, 0.3, 0, 1) with the root on unit 0: unit 4 needs x(S) + r(W) >= 1;
    # the cheapest separator is unit 3 (x = 0): the cut x_4 - x_3 - r_3 - r_4 <= 0; then the
    # nested cuts further out (unit 3 raised to capacity 1): unit 2, then unit 1 (written in the
    # complement form x_4 - x_1 + r_1 + r_0 <= 1, which has fewer nonzeros), then none
    from scp.model.root_separation import flow_cuts

    data = scp.PlanningData.from_arrays(cost=np.ones(5), features={"a": np.ones(5)},
                                        boundary=scp.boundary.grid_boundary(np.ones((1, 5), bool)))
    adj = adjacency(data)
    x = np.array([1.0, 0.3, 0.3, 0.0, 1.0])
    r = np.array([1.0, 0, 0, 0, 0])
    cuts = [c for c in flow_cuts(adj, x, r) if c.i == 4]
    assert [c.separator.tolist() for c in cuts] == [[3], [2], [1]]
    assert sorted(cuts[0].root_side.tolist()) == [4] and sorted(cuts[1].root_side.tolist()) == [3, 4]
    assert cuts[2].root_side is None and cuts[2].root_outside.tolist() == [0]
    assert all(c.lhs(x, r) > c.rhs + 0.1 for c in cuts)
    assert len(flow_cuts(adj, x, r, nested=1)) == 1


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("locked", [(), (3, 8)])
def test_rooted_loop_with_heuristics_equals_brute_force_on_3x4(seed, locked):
    # the whole path of a connected plan: LP rounds with rooted cuts, LP-guided joins, the
    # connectivity-keeping annealer, then integer rounds; proven optimum = enumeration (with
    # locked-in units the root is fixed on the first of them)
    status = np.zeros(12, np.int8)
    status[list(locked)] = 1
    data = grid_data(3, 4, seed=seed)
    rng = np.random.default_rng(seed)
    data = scp.PlanningData.from_arrays(cost=data.cost, features={"a": data.rij.toarray()[0],
                                                                  "b": (rng.random(12) < 0.5) * 2.0},
                                        boundary=data.boundary, status=status)
    base = scp.Problem(data).relative_targets(0.5)
    if seed % 2:
        base = base.boundary_penalty(0.3)
    objective, feasible, _ = enumerate_all(base)
    adj = adjacency(data)
    ok = X12.any(axis=1) & connected_all(adj, X12) & feasible
    expected = float(objective[ok].min())
    sol = base.contiguity().solve(warm_start="heuristic", time_limit=30)
    assert sol.status is scp.Status.OPTIMAL and sol.evaluation.feasible and sol.evaluation.n_patches == 1
    assert sol.objective == pytest.approx(expected)


def test_without_a_warm_start_the_first_joined_plan_is_kept():
    # no incumbent before the first integer round: the plan joined from that round's parts must
    # be kept (an empty best once compared as inf - inf and refused every candidate)
    sol = scp.Problem(random_grid(10, 3)).relative_targets(0.2).contiguity().solve(time_limit=4)
    assert sol.evaluation.feasible and sol.evaluation.n_patches == 1
    assert sol.bound <= sol.objective + 1e-9


def test_nested_and_complement_form_cuts_are_valid():
    # points whose root mass sums to 1 (as at every non-empty integer point): nested flow cuts
    # reach rings far from the unit, whose sides are large and are written in the complement
    # form; every cut is violated by its point and holds for every connected selection (root on
    # any of its units) and for the empty one
    from scp.model.root_separation import component_cuts, flow_cuts

    adj = adjacency(grid_data(3, 4))
    ok = connected_all(adj, X12) & X12.any(axis=1)
    complement = 0
    for seed in range(8):
        rng = np.random.default_rng(seed)
        x = np.round(rng.random(12) * (rng.random(12) < 0.7), 3)
        x[rng.integers(12)] = 1.0
        r = np.zeros(12)
        r[np.argmax(x)] = 1.0
        cuts = component_cuts(adj, x, r) + flow_cuts(adj, x, r)
        complement += sum(c.root_outside is not None for c in cuts)
        A, rhs = cut_rows(cuts, 24, root_start=12)
        assert (A @ np.concatenate([x, r]) > rhs + 1e-4).all()
        assert (A @ np.zeros(24) <= rhs).all()
        for s in X12[ok]:
            assert all(_rooted_rows_hold(A, rhs, s.astype(float), k) for k in np.flatnonzero(s))
    assert complement > 0


def test_root_is_fixed_on_the_first_unit_every_selection_holds():
    from scp.model.graph import root_bounds
    assert root_bounds(4, None) == (0.0, 1.0) and root_bounds(4, np.zeros(4, bool)) == (0.0, 1.0)
    lower, upper = root_bounds(4, np.array([False, False, True, True]))
    assert lower.tolist() == upper.tolist() == [0.0, 0.0, 1.0, 0.0]
    problems, _ = enumerated_case(0, "selection_needed", methods=("cuts",))
    model = scp.compile_problem(problems[0])
    roots = model.cols("contiguity_root")
    assert model.col_lower[roots].tolist() == model.col_upper[roots].tolist() == np.eye(12)[5].tolist()
    assert "root_units" not in model.info
