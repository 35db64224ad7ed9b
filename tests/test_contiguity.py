"""Contiguity (single-commodity flow): accepts every connected subset of a small grid and
rejects every disconnected one (brute force), and optimises correctly."""

from __future__ import annotations


import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

import scp
from bruteforce import all_selections, brute_force, connected_all


def grid_data(rows: int, cols: int, seed: int = 0, status=None) -> scp.PlanningData:
    rng = np.random.default_rng(seed)
    n = rows * cols
    return scp.PlanningData.from_arrays(
        cost=rng.integers(1, 10, n).astype(float), features={"a": rng.integers(0, 4, n).astype(float) + 0.5},
        boundary=scp.boundary.grid_boundary(np.ones((rows, cols), bool)), status=status)


def random_grid(side: int, seed: int) -> scp.PlanningData:
    """The contiguity benchmark's grids: costs 1-10, three features at 40% occupancy."""
    rng = np.random.default_rng(seed)
    n = side * side
    return scp.PlanningData.from_arrays(cost=rng.uniform(1, 10, n),
                                        features={f"f{j}": rng.random(n) * (rng.random(n) < 0.4) for j in range(3)},
                                        boundary=scp.boundary.grid_boundary(np.ones((side, side), bool)))


def is_connected(adj: sp.csr_matrix, sel: np.ndarray) -> bool:
    idx = np.flatnonzero(sel)
    return connected_components(adj[idx][:, idx], directed=False)[0] == 1


def test_accepts_every_connected_and_rejects_every_disconnected_subset_of_3x3():
    data = grid_data(3, 3)
    adj = scp.spatial.adjacency(data)
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
    adj = scp.spatial.adjacency(data)
    cost = X @ data.cost
    pen = np.zeros(len(X))
    if p.penalties:
        B = data.boundary.toarray()
        off = B - np.diag(np.diag(B))
        pen = p.penalties[0].penalty * (X @ np.diag(B) + np.einsum("ki,ij,kj->k", X, off, 1 - X))
    ok = feasible & X.any(axis=1) & connected_all(adj, X)
    expected = float((cost + pen)[ok].min())
    for solver in ("highs", "cbc"):
        sol = p.solve(solver)
        assert sol.objective == pytest.approx(expected) and sol.evaluation.n_patches == 1


def test_compile_tags_and_sizes():
    data = grid_data(2, 2)
    # separator cuts (the default) are added by the cut loop, not compiled; the model gets the
    # root columns they use: r_k <= x_k, sum_k r_k <= 1
    m = scp.compile_problem(scp.Problem(data).absolute_targets(0.0).contiguity())
    assert m.col_tags() == ["x", "contiguity_root"]
    assert m.row_tags() == ["target", "contiguity:root_selected", "contiguity:one_root"]
    link = m.A[m.rows("contiguity:root_selected")].toarray()
    np.testing.assert_array_equal(link, np.hstack([-np.eye(4), np.eye(4)]))
    assert (m.row_upper[m.rows("contiguity:root_selected")] == 0).all()
    np.testing.assert_array_equal(m.A[m.rows("contiguity:one_root")].toarray(), [[0] * 4 + [1] * 4])
    assert m.row_upper[m.rows("contiguity:one_root")][0] == 1 and (m.integrality[4:] == 0).all()
    locked = scp.compile_problem(scp.Problem(data).absolute_targets(0.0).locked_in([0]).contiguity("locked_in"))
    assert locked.col_tags() == ["x"]  # the locked-in units are the root
    m = scp.compile_problem(scp.Problem(data).absolute_targets(0.0).contiguity(method="flow"))
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

    from scp.app.scenario.build import build_problem, load_data
    from scp.app.scenario.load import load_scenario
    from scenario_fixtures import write_landscape

    write_landscape(str(tmp_path), rows=6, cols=8)
    doc = {"name": "c", "data": {"grid": {"path": "data/land.nc", "features": ["lowland", "woodland"]}},
           "targets": {"default": 0.2}, "contiguity": "selection"}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(doc))
    s = load_scenario(str(tmp_path / "c.yaml")).scenario
    data, _ = load_data(s)
    sol = build_problem(s, data).solve()
    assert sol.evaluation.n_patches == 1 and sol.evaluation.feasible


# ------------------------------------------------------------------- neighbour constraints
def test_neighbours_compile_rows():
    data = grid_data(2, 2)
    m = scp.compile_problem(scp.Problem(data).absolute_targets(0.0).neighbours(2))
    rows = m.A[m.rows("neighbours")].toarray()
    # unit 0 neighbours 1 and 2: x1 + x2 - 2 x0 >= 0
    np.testing.assert_array_equal(rows[0], [-2, 1, 1, 0])
    assert (m.row_lower[m.rows("neighbours")] == 0).all() and np.isinf(m.row_upper[m.rows("neighbours")]).all()


@pytest.mark.parametrize("k,directions", [(1, 4), (2, 4), (3, 8)])
def test_min_set_with_neighbours_equals_brute_force(k, directions):
    import xarray as xr

    rng = np.random.default_rng(k)
    ds = xr.Dataset({"cost": (("y", "x"), rng.integers(1, 10, (3, 4)).astype(float)),
                     "a": (("y", "x"), rng.integers(0, 4, (3, 4)) + 0.5)},
                    coords={"y": [2.0, 1.0, 0.0], "x": [0.0, 1.0, 2.0, 3.0]})
    data = scp.PlanningData.from_xarray(ds, features=["a"])
    p = scp.Problem(data).relative_targets(0.5).neighbours(k, directions)
    X = all_selections(12)
    adj = scp.spatial.adjacency(data, directions).toarray()
    count = X @ adj
    ok = ((count >= k) | (X == 0)).all(axis=1) & (X @ data.rij.toarray().T >= p.resolved_targets() - 1e-9).all(axis=1)
    expected = float((X @ data.cost)[ok].min())
    for solver in ("highs", "cbc"):
        sol = p.solve(solver)
        assert sol.objective == pytest.approx(expected) and sol.evaluation.feasible
        assert (adj[sol.selection][:, sol.selection].sum(axis=1) >= k).all()


@pytest.mark.parametrize("k,directions", [(3, 4), (4, 8)])
def test_clamped_neighbours_equal_brute_force(k, directions):
    """clamp: a unit with fewer than k neighbours needs all of them (corner units of a 3x4 grid
    have 2 with 4-adjacency and 3 with 8-adjacency, so k is out of their reach unclamped)."""
    import xarray as xr

    rng = np.random.default_rng(10 + k)
    ds = xr.Dataset({"cost": (("y", "x"), rng.integers(1, 10, (3, 4)).astype(float)),
                     "a": (("y", "x"), rng.integers(0, 4, (3, 4)) + 0.5)},
                    coords={"y": [2.0, 1.0, 0.0], "x": [0.0, 1.0, 2.0, 3.0]})
    data = scp.PlanningData.from_xarray(ds, features=["a"])
    p = scp.Problem(data).relative_targets(0.5).neighbours(k, directions, clamp=True)
    m = scp.compile_problem(p)
    adj = scp.spatial.adjacency(data, directions).toarray()
    need = np.minimum(k, adj.sum(axis=1))
    np.testing.assert_allclose(-m.A[m.rows("neighbours")].toarray().diagonal(), need)
    X = all_selections(12)
    ok = ((X @ adj >= need) | (X == 0)).all(axis=1) & (X @ data.rij.toarray().T >= p.resolved_targets() - 1e-9).all(axis=1)
    expected = float((X @ data.cost)[ok].min())
    for solver in ("highs", "cbc"):
        sol = p.solve(solver)
        assert sol.objective == pytest.approx(expected) and sol.evaluation.feasible
    unclamped_ok = ((X @ adj >= k) | (X == 0)).all(axis=1) & ok
    assert unclamped_ok.sum() < ok.sum()  # clamping admits selections the plain constraint forbids


def test_neighbours_locked_in_unit_without_enough_neighbours_is_named():
    status = np.zeros(4, np.int8)
    status[0] = 1
    data = grid_data(1, 4, status=status)
    with pytest.raises(scp.Infeasible, match="fewer than 2 neighbours"):
        scp.Problem(data).absolute_targets(0.0).neighbours(2).solve()


# ------------------------------------------------------------------------------ corridors
def chain_cost(adj: np.ndarray, r: np.ndarray, x: np.ndarray, src: np.ndarray, snk: np.ndarray) -> float:
    """Least sum of r over the units of a chain of selected units from src to snk (independent:
    edge weights (r_i + r_j) / 2 plus half the end units)."""
    from scipy.sparse.csgraph import shortest_path

    on = x.astype(bool)
    w = np.where(adj > 0, (r[:, None] + r[None, :]) / 2, 0) * on[:, None] * on[None, :]
    d = shortest_path(sp.csr_matrix(w), directed=False)
    best = np.inf
    for s in np.flatnonzero(src & on):
        for t in np.flatnonzero(snk & on):
            best = min(best, d[s, t] + (r[s] + r[t]) / 2)
    return best


def test_corridor_compile_blocks():
    data = grid_data(2, 2)
    src, snk = np.array([1, 0, 0, 0], bool), np.array([0, 0, 0, 1], bool)
    m = scp.compile_problem(scp.Problem(data).absolute_targets(0.0).corridor(src, snk, weight=2.0, name="c"))
    assert m.col_tags() == ["x", "corridor:c:flow", "corridor:c:source", "corridor:c:sink"]
    assert m.row_tags()[1:] == ["corridor:c:balance", "corridor:c:source_total", "corridor:c:sink_total",
                                "corridor:c:cap_tail", "corridor:c:cap_head", "corridor:c:cap_source",
                                "corridor:c:cap_sink"]
    assert (m.c[m.cols("corridor:c:flow")] == 2.0).all() and m.c[m.cols("corridor:c:source")][0] == 2.0
    bal = m.A[m.rows("corridor:c:balance")].toarray()
    assert bal[0, m.cols("corridor:c:source")][0] == 1 and bal[3, m.cols("corridor:c:sink")][0] == -1


@pytest.mark.parametrize("seed", range(4))
def test_corridor_optimum_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    data = grid_data(3, 4, seed=seed)
    src, snk = np.zeros(12, bool), np.zeros(12, bool)
    src[[0, 4]], snk[[7, 11]] = True, True
    r = rng.uniform(0.5, 3.0, 12)
    weight = [0.0, 1.0, 2.5, 0.4][seed]
    p = scp.Problem(data).relative_targets(0.3).corridor(src, snk, r, weight)
    X = all_selections(12)
    adj = scp.spatial.adjacency(data).toarray()
    chain = np.array([chain_cost(adj, r, x, src, snk) for x in X])
    ok = np.isfinite(chain) & (X @ data.rij.toarray().T >= p.resolved_targets() - 1e-9).all(axis=1)
    expected = float((X @ data.cost + weight * np.where(ok, chain, 0))[ok].min())
    for solver in ("highs", "cbc"):
        sol = p.solve(solver)
        assert sol.objective == pytest.approx(expected) and sol.evaluation.feasible


def test_corridor_checks_and_violation():
    data = grid_data(1, 5)
    src, snk = np.array([1, 0, 0, 0, 0], bool), np.array([0, 0, 0, 0, 1], bool)
    p = scp.Problem(data).absolute_targets(0.0).corridor(src, snk, name="ridge")
    gap = np.array([1, 1, 0, 1, 1], bool)
    assert "corridor 'ridge'" in scp.evaluate(p, gap).violations[0]
    assert scp.evaluate(p, np.ones(5, bool)).feasible
    with pytest.raises(scp.Infeasible):
        p.locked_out([2]).solve()
    with pytest.raises(scp.ScenarioError, match="share 1 unit"):
        scp.Problem(data).corridor(src, src)
    with pytest.raises(scp.ScenarioError, match="at least one planning unit"):
        scp.Problem(data).corridor(np.zeros(5, bool), snk)


def test_scenario_keys_for_connectivity(tmp_path):
    """neighbours, corridors, a resistance-based connectivity penalty and ProtConn indicators."""
    import json

    import yaml

    from scp.app.cli import main
    from scenario_fixtures import write_landscape

    write_landscape(str(tmp_path), rows=6, cols=8)
    doc = {"name": "conn", "data": {"grid": {"path": "data/land.nc", "features": ["lowland", "woodland"],
                                             "jurisdiction": "country"}},
           "targets": {"default": 0.2},
           "neighbours": {"k": 1},
           "corridors": {"west_east": {"from": {"ids": [1]}, "to": {"layer": "town", "values": [1]},
                                       "resistance": "cost", "weight": 0.1}},
           "indicators": {"dispersal_distance": 2000},
           "outputs": {"dir": "out", "map": False}}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(doc))
    assert main(["run", str(tmp_path / "c.yaml")]) == 0
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    pc = summary["protconn"]
    assert 0 < pc["protconn"] <= pc["prot"] + 1e-9 and set(pc["by_jurisdiction"]) == {"TKM", "UZB"}
    assert summary["patches"]["n"] == summary["n_patches"] >= 1
    assert "ProtConn" in (tmp_path / "out" / "report.md").read_text()

    # markhor is 0 in the lowlands: a resistance layer must be > 0 everywhere
    doc["connectivity"] = {"penalty": 1.0, "resistance": {"layer": "markhor", "dispersal_distance": 1500}}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(doc))
    assert main(["run", str(tmp_path / "c.yaml"), "--overwrite"]) == 2

    doc["connectivity"]["resistance"]["layer"] = "cost"
    del doc["corridors"]
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(doc))
    assert main(["run", str(tmp_path / "c.yaml"), "--overwrite"]) == 0
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["penalties"]["connectivity:scenario"] > 0
