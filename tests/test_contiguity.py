"""Contiguity (single-commodity flow): accepts every connected subset of a small grid and
rejects every disconnected one (brute force), and optimises correctly."""

from __future__ import annotations


import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

import scp
from bruteforce import all_selections, brute_force


def grid_data(rows: int, cols: int, seed: int = 0, status=None) -> scp.PlanningData:
    rng = np.random.default_rng(seed)
    n = rows * cols
    return scp.PlanningData.from_arrays(
        cost=rng.integers(1, 10, n).astype(float), features={"a": rng.integers(0, 4, n).astype(float) + 0.5},
        boundary=scp.boundary.grid_boundary(np.ones((rows, cols), bool)), status=status)


def is_connected(adj: sp.csr_matrix, sel: np.ndarray) -> bool:
    idx = np.flatnonzero(sel)
    return connected_components(adj[idx][:, idx], directed=False)[0] == 1


def test_accepts_every_connected_and_rejects_every_disconnected_subset_of_3x3():
    data = grid_data(3, 3)
    adj = scp.contiguity.adjacency(data)
    accepted = rejected = 0
    for code in range(1, 2 ** 9):
        sel = ((code >> np.arange(9)) & 1).astype(bool)
        p = (scp.Problem(data).absolute_targets(0.0).contiguity()
             .locked_in(data.ids[sel]).locked_out(data.ids[~sel]) if (~sel).any()
             else scp.Problem(data).absolute_targets(0.0).contiguity().locked_in(data.ids[sel]))
        if is_connected(adj, sel):
            assert p.solve().evaluation.n_patches == 1
            accepted += 1
        else:
            with pytest.raises(scp.Infeasible):
                p.solve()
            rejected += 1
    assert accepted == 218 and accepted + rejected == 511  # the L-shape {4, 5, 7} among them


def test_locked_in_mode_requires_each_part_to_touch_a_locked_unit():
    status = np.zeros(9, np.int8)
    status[0] = 1  # corner locked in
    data = grid_data(3, 3, status=status)
    base = scp.Problem(data).absolute_targets(0.0).contiguity("locked_in")
    ok = base.locked_in([1, 2]).locked_out([3, 4, 5, 6, 7, 8])        # a row from the corner
    assert ok.solve().evaluation.feasible
    # a feature found only in the opposite corner: its unit must be selected, but with the
    # middle locked out it cannot be joined to the locked-in corner
    far = scp.PlanningData.from_arrays(cost=data.cost, features={"far": np.eye(9)[8]}, status=status,
                                       boundary=data.boundary)
    bad = scp.Problem(far).absolute_targets({"far": 1.0}).contiguity("locked_in").locked_out([1, 2, 3, 4, 5, 6, 7])
    with pytest.raises(scp.Infeasible):
        bad.solve()
    assert scp.Problem(far).absolute_targets({"far": 1.0}).contiguity("locked_in").solve().evaluation.n_patches == 1


@pytest.mark.parametrize("seed", range(6))
def test_min_set_with_contiguity_equals_brute_force(seed):
    data = grid_data(3, 4, seed=seed)
    p = scp.Problem(data).relative_targets(0.5).contiguity().boundary_penalty(0.3 * (seed % 2))
    best_all, feasible = brute_force(p.__class__(p.data, p.objective, p.targets, (), p.penalties))
    X = all_selections(12)
    adj = scp.contiguity.adjacency(data)
    cost = X @ data.cost
    pen = np.zeros(len(X))
    if p.penalties:
        B = data.boundary.toarray()
        off = B - np.diag(np.diag(B))
        pen = p.penalties[0].penalty * (X @ np.diag(B) + np.einsum("ki,ij,kj->k", X, off, 1 - X))
    ok = feasible & np.array([x.any() and is_connected(adj, x.astype(bool)) for x in X])
    expected = float((cost + pen)[ok].min())
    for solver in ("highs", "cbc"):
        sol = p.solve(solver)
        assert sol.objective == pytest.approx(expected) and sol.evaluation.n_patches == 1


def test_compile_tags_and_sizes():
    data = grid_data(2, 2)
    m = scp.Problem(data).absolute_targets(0.0).contiguity().compile()
    assert m.col_tags() == ["x", "contiguity_flow", "contiguity_supply", "contiguity_root"]
    assert m.row_tags() == ["target", "contiguity:balance", "contiguity:cap_tail", "contiguity:cap_head",
                            "contiguity:supply", "contiguity:root_selected", "contiguity:one_root"]
    assert m.cols("contiguity_flow").stop - m.cols("contiguity_flow").start == 8  # 4 edges, both directions
    bal = m.A[m.rows("contiguity:balance")].toarray()
    # unit 0: inflow from 1 and 2, outflow to 1 and 2, supply, minus x_0
    np.testing.assert_array_equal(bal[0, :4], [-1, 0, 0, 0])
    assert (bal[:, m.cols("contiguity_supply")] == np.eye(4)).all()
    assert (m.row_lower[m.rows("contiguity:balance")] == 0).all()
    assert m.row_lower[m.rows("contiguity:one_root")][0] == 1


def test_contiguity_needs_a_boundary_matrix():
    d = scp.PlanningData.from_arrays(cost=[1, 2], features={"a": [1, 1]})
    with pytest.raises(scp.ScenarioError, match="contiguity needs a boundary matrix"):
        scp.Problem(d).contiguity()


def test_scenario_contiguity_key(tmp_path):
    import yaml

    from scp.scenario.build import build_problem, load_data
    from scp.scenario.load import load_scenario
    from scenario_fixtures import write_landscape

    write_landscape(str(tmp_path), rows=6, cols=8)
    doc = {"name": "c", "data": {"grid": {"path": "data/land.nc", "features": ["lowland", "woodland"]}},
           "targets": {"default": 0.2}, "contiguity": "selection"}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(doc))
    s = load_scenario(str(tmp_path / "c.yaml")).scenario
    data, _ = load_data(s)
    sol = build_problem(s, data).solve()
    assert sol.evaluation.n_patches == 1 and sol.evaluation.feasible
