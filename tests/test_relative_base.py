"""Relative targets over the planning units or over every cell with data (prioritizr's base)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import scp
from scp.errors import ScenarioError


def dataset() -> xr.Dataset:
    cost = np.array([[1.0, 2.0, np.nan], [1.0, np.nan, 3.0]])  # two cells with data but no cost: not units
    sp_ = np.array([[1.0, 1.0, 4.0], [2.0, 6.0, 1.0]])
    return xr.Dataset({"cost": (("y", "x"), cost), "sp": (("y", "x"), sp_)},
                      coords={"y": [1.0, 0.0], "x": [0.0, 1.0, 2.0]})


def test_totals_and_targets_over_units_or_all_data():
    d = scp.PlanningData.from_xarray(dataset())
    assert d.feature_totals[0] == pytest.approx(5.0) and d.totals("all_data")[0] == pytest.approx(15.0)
    pu = scp.Problem(d).relative_targets(0.2)
    alld = scp.Problem(d).relative_targets(0.2, relative_to="all_data")
    assert pu.resolved_targets()[0] == pytest.approx(1.0) and alld.resolved_targets()[0] == pytest.approx(3.0)
    sol = scp.solve(alld)
    assert sol.evaluation.features[0].held >= 3.0 - 1e-9
    # the data of tables have no cells outside their units: both bases agree
    t = scp.PlanningData.from_arrays(cost=[1.0, 2.0], features={"sp": [1.0, 3.0]})
    assert t.totals("all_data")[0] == t.feature_totals[0]


def test_base_must_be_known_and_the_report_names_it(tmp_path):
    with pytest.raises(ScenarioError, match="relative_to"):
        scp.Problem(scp.PlanningData.from_xarray(dataset())).relative_targets(0.2, relative_to="world")
    from scenario_fixtures import base_document, write_scenario
    from scp.app.scenario.load import load_scenario
    from scp.app.scenario.run import run_scenario

    doc = base_document()
    doc["relative_to"] = "all_data"
    loaded = load_scenario(write_scenario(str(tmp_path), doc))
    sol, out = run_scenario(loaded, out=str(tmp_path / "res"))
    report = open(f"{out}/report.md").read()
    assert "every cell with data" in report
    doc["targets_within"] = "jurisdiction"
    with pytest.raises(ScenarioError, match="relative_to"):
        from scp.app.scenario.build import build_problem, load_data

        s = load_scenario(write_scenario(str(tmp_path), doc, "b.yaml")).scenario
        build_problem(s, load_data(s)[0])
