"""Portfolios (distinct, feasible, within the gap, k-best), selection frequency and
replacement-cost importance (hand-checked on toys, brute force on small problems)."""

from __future__ import annotations

import numpy as np
import pytest

import scp
from bruteforce import all_selections
from scp.solving.portfolio import portfolio, replacement_importance


def toy() -> scp.PlanningData:
    # feature a: units 0, 1, 2 hold 1 each; feature b only in unit 3
    return scp.PlanningData.from_arrays(cost=[1.0, 2.0, 5.0, 3.0],
                                        features={"a": [1, 1, 1, 0], "b": [0, 0, 0, 1]})


def test_replacement_cost_by_hand():
    p = scp.Problem(toy()).absolute_targets({"a": 1, "b": 1})
    sol = p.solve()
    assert sol.selection.tolist() == [True, False, False, True] and sol.objective == 4.0
    rc = replacement_importance(sol)
    # unit 0 is replaced by unit 1 (cost 2 instead of 1); nothing replaces unit 3
    assert rc[0] == pytest.approx(1.0) and np.isinf(rc[3]) and np.isnan(rc[1]) and np.isnan(rc[2])


def test_replacement_cost_of_locked_in_and_max_utility():
    d = toy()
    p = scp.Problem(d).absolute_targets({"a": 1}).locked_in([2])
    sol = p.solve()
    assert np.isinf(replacement_importance(sol)[2])
    mu = scp.Problem(d).max_utility(budget=3.0)  # best: units 0 and 1 (a = 2) or 3 (b = 1) ...
    s = mu.solve()
    rc = replacement_importance(s)
    held = s.objective
    for u in np.flatnonzero(s.selection):
        alt = mu.locked_out(np.eye(4, dtype=bool)[u]).solve().objective
        assert rc[u] == pytest.approx(held - alt)


def test_replacement_cost_in_parallel_on_dask():
    distributed = pytest.importorskip("dask.distributed")
    p = scp.Problem(toy()).absolute_targets({"a": 2, "b": 1})
    sol = p.solve()
    with distributed.Client(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as c:
        par = replacement_importance(sol, client=c)
    np.testing.assert_array_equal(par, replacement_importance(sol))


def random_problem(seed: int, n: int = 10) -> scp.Problem:
    rng = np.random.default_rng(seed)
    d = scp.PlanningData.from_arrays(cost=rng.integers(1, 10, n).astype(float),
                                     features={f"f{j}": rng.integers(0, 4, n).astype(float) for j in range(3)},
                                     boundary=scp.boundary.grid_boundary(np.ones((2, n // 2), bool)))
    return scp.Problem(d).relative_targets(0.4).boundary_penalty(0.3)


@pytest.mark.parametrize("seed", range(3))
def test_portfolio_is_the_k_best_distinct_feasible_solutions(seed):
    p = random_problem(seed)
    port = portfolio(p, n=4, gap=0.2)
    sels = port.selections
    assert len({tuple(s) for s in sels}) == len(sels)  # distinct
    objs = [s.objective for s in port.solutions]
    assert objs == sorted(objs) and all(s.evaluation.feasible for s in port.solutions)
    assert all(o <= port.optimum * 1.2 + 1e-6 for o in objs)
    # brute force: the best len(sels) objective values within the gap
    X = all_selections(p.data.n_pu)
    vals = np.array([scp.evaluate(p, x).objective if scp.evaluate(p, x).feasible else np.inf for x in X])
    best = np.sort(vals[vals <= port.optimum * 1.2 + 1e-6])
    np.testing.assert_allclose(objs, best[: len(objs)], rtol=1e-7)
    if len(objs) < 4:  # stopped early: nothing else was within the gap
        assert best.size == len(objs)
    freq = port.frequency()
    assert freq.shape == (p.data.n_pu,) and ((freq >= 0) & (freq <= 1)).all()
    np.testing.assert_allclose(freq, sels.mean(axis=0))


def test_portfolio_with_cbc_and_bad_arguments():
    p = random_problem(7)
    port = portfolio(p, n=3, gap=0.5, solver="cbc")
    assert len(port.solutions) == 3 and len({tuple(s) for s in port.selections}) == 3
    with pytest.raises(scp.ScenarioError, match=">= 1"):
        portfolio(p, n=0)
    with pytest.raises(scp.ScenarioError, match="not in"):
        portfolio(p, gap=1.5)


def test_portfolio_command_writes_frequency_and_importance(tmp_path):
    import json

    import yaml

    from scenario_fixtures import write_landscape
    from scp.app.cli import main

    write_landscape(str(tmp_path), rows=5, cols=6)
    doc = {"name": "pf", "data": {"grid": {"path": "data/land.nc", "features": ["lowland", "woodland"]}},
           "targets": {"default": 0.3}, "outputs": {"dir": "out"}}
    (tmp_path / "pf.yaml").write_text(yaml.safe_dump(doc))
    assert main(["portfolio", str(tmp_path / "pf.yaml"), "--n", "3", "--gap", "0.2", "--importance", "--ranks",
                 "3"]) == 0
    folder = tmp_path / "out_portfolio"
    s = json.loads((folder / "summary.json").read_text())
    assert s["n_found"] == 3 and s["solutions"][0]["objective"] <= s["solutions"][-1]["objective"]
    for name in ("portfolio.csv", "solutions.csv", "frequency.csv", "frequency.png", "frequency.nc",
                 "importance.csv", "importance.png"):
        assert (folder / name).stat().st_size > 0, name
    import pandas as pd

    imp = pd.read_csv(folder / "importance.csv")
    sols = pd.read_csv(folder / "solutions.csv")
    assert (imp["replacement_cost"].notna() == (sols["solution_1"] == 1)).all()
    assert (imp["replacement_cost"].dropna() >= -1e-9).all()
    rwr = imp["rarity_weighted_richness"]
    assert (rwr.notna() == (sols["solution_1"] == 1)).all() and rwr.max() == pytest.approx(1.0)
    assert (folder / "rarity.png").stat().st_size > 0
    for col in ("ferrier_irreplaceability", "rank"):  # layers of the selected units only
        assert (imp[col].notna() == (sols["solution_1"] == 1)).all(), col
        assert (folder / ("ferrier.png" if col != "rank" else "rank.png")).stat().st_size > 0
    assert imp["rank"].max() == pytest.approx(1.0) and s["rank_importance"]["steps"] == 3
    import xarray as xr

    with xr.open_dataset(folder / "importance.nc") as ds:
        assert {"rarity_weighted_richness", "ferrier_irreplaceability", "rank", "replacement_cost"} <= set(ds)


def test_cuts_portfolio_without_a_gap_bound_is_the_n_best_by_enumeration():
    p = random_problem(1)
    port = portfolio(p, n=6, gap=None)
    X = all_selections(p.data.n_pu)
    vals = np.array([scp.evaluate(p, x).objective if scp.evaluate(p, x).feasible else np.inf for x in X])
    np.testing.assert_allclose([s.objective for s in port.solutions], np.sort(vals)[:6], rtol=1e-7)


def test_shuffle_portfolio_finds_distinct_equally_good_selections():
    from scp.solving.portfolio import shuffle_portfolio

    # nine equal units, one feature, two units needed: C(9, 2) = 36 optimal selections
    d = scp.PlanningData.from_arrays(cost=np.ones(9), features={"a": np.ones(9)})
    p = scp.Problem(d).absolute_targets(2.0)
    port = shuffle_portfolio(p, n=6, gap=0.0, seed=1)
    sels = port.selections
    assert len(sels) >= 2 and len({tuple(s) for s in sels}) == len(sels)
    assert all(s.objective == pytest.approx(2.0) and s.evaluation.feasible and s.selection.sum() == 2
               for s in port.solutions)
    again = shuffle_portfolio(p, n=6, gap=0.0, seed=1)  # same seeds, same portfolio
    np.testing.assert_array_equal(again.selections, sels)
