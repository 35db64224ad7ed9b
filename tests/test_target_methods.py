"""Target-setting methods (Rodrigues, Watson, IUCN Red List, Jung, Ward) and per-feature auto targets."""

from __future__ import annotations

import numpy as np
import pytest

import scp
from scp.errors import ScenarioError
from scp.problem import target_methods as tm


def test_rodrigues_by_hand():
    a = np.array([500.0, 250000.0, np.sqrt(1000.0 * 250000.0), 2e7])
    t = tm.rodrigues(a)
    np.testing.assert_allclose(t[:3], [500.0, 25000.0, 0.55 * a[2]])  # midway in log: share 0.55
    assert t[3] == 1e6  # 10% of 2e7 km² capped at 1e6 (Butchart et al. 2015)
    assert tm.rodrigues(a, cap=None)[3] == pytest.approx(2e6)


def test_watson_red_list_jung_ward_by_hand():
    np.testing.assert_allclose(tm.watson(np.array([500.0, 5000.0, 20000.0])), [500.0, 1000.0, 2000.0])
    np.testing.assert_allclose(tm.jung(np.array([1000.0, 10000.0])), [1000.0, 7700.0])  # 2,200 km² capped by a
    np.testing.assert_allclose(tm.ward(np.array([100.0, 1000.0])), [100.0, 200.0])  # CR: 100 km² or 20%
    np.testing.assert_allclose(tm.red_list(np.array([1000.0]), "EN", "A1", "B2", method="min"), [300.0])
    with pytest.raises(ScenarioError, match="status"):
        tm.red_list(np.array([1.0]), "LC")


def test_area_units_and_relative_absolute():
    ha = np.array([100000.0])  # 1,000 km²
    assert tm.method_targets(ha, "jung", "ha")[0] == pytest.approx(100000.0)
    assert tm.method_targets(ha, {"method": "relative", "value": 0.25})[0] == pytest.approx(25000.0)
    assert tm.method_targets(ha, {"method": "absolute", "value": 2e5})[0] == pytest.approx(1e5)  # at most the total
    with pytest.raises(ScenarioError, match="unknown target method"):
        tm.method_targets(ha, "magic")
    with pytest.raises(ScenarioError, match="area unit"):
        tm.method_targets(ha, "jung", "acres")


def test_problem_auto_targets_per_feature_then_solve():
    d = scp.PlanningData.from_arrays(cost=np.ones(4), features={
        "rare": [300.0, 200.0, 0.0, 0.0], "common": [5000.0, 6000.0, 7000.0, 8000.0]})
    p = scp.Problem(d).auto_targets({"rare": "watson"}, default={"method": "relative", "value": 0.3})
    np.testing.assert_allclose(p.resolved_targets(), [500.0, 0.3 * 26000.0])
    p2 = scp.Problem(d).method_targets("rodrigues", features="common")
    assert np.isnan(p2.resolved_targets()[0])
    sol = scp.solve(p)
    assert sol.evaluation.targets_met


def test_target_methods_from_yaml(tmp_path):
    from scenario_fixtures import base_document, write_scenario
    from scp.app.scenario.build import build_problem, load_data
    from scp.app.scenario.load import load_scenario

    (tmp_path / "traits.csv").write_text("feature,method\nmarkhor,ward\nlowland,\n")
    doc = base_document()
    doc["target_methods"] = {"area_unit": "km2", "default": {"method": "relative", "value": 0.2},
                             "features": {"woodland": "watson"}, "file": "traits.csv"}
    doc["targets"] = {"lowland": {"relative": 0.4}}
    s = load_scenario(write_scenario(str(tmp_path), doc)).scenario
    data, _ = load_data(s)
    p = build_problem(s, data)
    tot = data.feature_totals
    t = p.resolved_targets()
    j = {f: data.features.index(f) for f in ("lowland", "woodland", "markhor")}
    assert t[j["lowland"]] == pytest.approx(0.4 * tot[j["lowland"]])  # targets: override the methods
    assert t[j["woodland"]] == pytest.approx(tm.watson(tot[[j["woodland"]]])[0])
    assert t[j["markhor"]] == pytest.approx(tm.ward(tot[[j["markhor"]]])[0])
    doc["target_methods"] = {"default": "nonsense"}
    with pytest.raises(ScenarioError, match="target_methods"):
        s = load_scenario(write_scenario(str(tmp_path), doc, "bad.yaml")).scenario
        build_problem(s, load_data(s)[0])
