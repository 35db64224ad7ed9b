"""Features with negative amounts (a threat layer): allowed when named, with sound targets."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import scp
from scp.errors import DataError, Infeasible, ScenarioError


def data(seed: int = 0) -> scp.PlanningData:
    rng = np.random.default_rng(seed)
    n = 8
    return scp.PlanningData.from_arrays(
        cost=rng.uniform(1, 5, n).round(2),
        features={"habitat": rng.uniform(0, 3, n).round(2), "threat": -rng.uniform(0, 2, n).round(2)},
        negative_features=["threat"], boundary=scp.boundary.grid_boundary(np.ones((2, 4), bool)))


def test_negative_amounts_need_naming():
    with pytest.raises(DataError, match="negative_features"):
        scp.PlanningData.from_arrays(cost=[1.0, 1.0], features={"threat": [-1.0, 0.0]})
    with pytest.raises(DataError, match="negative_features"):
        scp.PlanningData.from_arrays(cost=[1.0, 1.0], features=np.array([[-1.0, 0.0]]), feature_names=["t"])
    assert data().signed_features.tolist() == [False, True]


@pytest.mark.parametrize("solver", ["highs", "cbc"])
@pytest.mark.parametrize("seed", range(3))
def test_net_threat_target_equals_enumeration(seed, solver):
    """habitat >= 40%, and the threat held (negative) no worse than -2: a plan must avoid threatened units."""
    d = data(seed)
    p = (scp.Problem(d).relative_targets({"habitat": 0.4}).absolute_targets({"threat": -2.0})
         .boundary_penalty(0.2))
    best = np.inf
    for bits in itertools.product((0, 1), repeat=d.n_pu):
        ev = scp.evaluate(p, np.array(bits))
        if ev.feasible:
            best = min(best, ev.objective)
    if np.isinf(best):
        with pytest.raises(Infeasible):
            scp.solve(p, solver, warm_start="heuristic")
        return
    sol = scp.solve(p, solver, warm_start="heuristic")
    assert sol.objective == pytest.approx(best, abs=1e-9)


def test_negative_targets_allow_some_threat_and_max_utility_subtracts_it():
    d = data(1)
    p = scp.Problem(d).relative_targets({"habitat": 0.3}).absolute_targets({"threat": -1.0})
    ev = scp.evaluate(p, np.ones(d.n_pu))
    assert ev.features[1].held < -1.0 and not ev.features[1].met  # all units: too much threat
    u = scp.solve(scp.Problem(d).max_utility(6.0))
    # the utility counts the threat against the plan: no unit whose net amount is negative is worth taking
    net = np.asarray(d.rij.sum(axis=0)).ravel()
    assert not (u.selection & (net < 0)).any()


def test_relative_targets_of_signed_features_are_refused():
    d = data()
    with pytest.raises(ScenarioError, match="negative amounts"):
        scp.Problem(d).relative_targets(0.3)
    with pytest.raises(ScenarioError, match="negative amounts"):
        scp.solve(scp.Problem(d).group_target("g", ["habitat", "threat"], relative=0.2))


def test_grid_layers_with_negative_values_and_the_scenario_key(tmp_path):
    import xarray as xr

    ds = xr.Dataset({"cost": (("y", "x"), np.ones((2, 2))), "hab": (("y", "x"), [[1.0, 2.0], [3.0, 4.0]]),
                     "threat": (("y", "x"), [[0.0, -1.0], [-2.0, 0.0]])}, coords={"y": [1.0, 0.0], "x": [0.0, 1.0]})
    with pytest.raises(DataError, match="negative_features"):
        scp.PlanningData.from_xarray(ds)
    d = scp.PlanningData.from_xarray(ds, negative_features=["threat"])
    assert d.signed_features.tolist() == [False, True]
    path = tmp_path / "land.nc"
    ds.to_netcdf(path)
    (tmp_path / "s.yaml").write_text(
        "name: t\ndata: {grid: {path: land.nc, negative_features: [threat]}}\n"
        "targets: {hab: {relative: 0.5}, threat: {absolute: 0}}\n")
    from scp.app.scenario.build import build_problem, load_data
    from scp.app.scenario.load import load_scenario

    s = load_scenario(str(tmp_path / "s.yaml")).scenario
    p = build_problem(s, load_data(s)[0])
    sol = scp.solve(p)
    assert sol.selection.tolist() == [True, False, False, True]  # half the habitat (1 + 4) without any threat


def test_zones_refuse_features_with_negative_amounts():
    from scp.data.zones import Zones
    from scp.problem.zoned import ZonedProblem

    d = data()
    z = Zones.from_multipliers(d.cost, d.n_features, ("strict", "oecm"), (1.0, 0.5))
    with pytest.raises(ScenarioError, match="amounts >= 0"):
        ZonedProblem(scp.Problem(d), z)
