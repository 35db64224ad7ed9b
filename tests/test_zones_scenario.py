"""Scenarios with a zones: block: YAML -> zoned problem -> results folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

from scenario_fixtures import base_document, write_landscape
from scp.app.scenario.build import UnitLayers, build_problem, load_data
from scp.app.scenario.load import load_scenario
from scp.app.scenario.zones import build_zoned
from scp.errors import ScenarioError
from scp.results.zoned import evaluate_zoned

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def zoned_document() -> dict:
    doc = base_document()
    doc["zones"] = {
        "strict": {"label": "Strict reserve", "locked_in": ["reserve"], "coverage": {"per_jurisdiction": 0.1},
                   "targets": {"markhor": {"relative": 0.2}}},
        "oecm": {"label": "OECM", "cost": 0.4, "contribution": {"default": 0.5, "lowland": 1.0},
                 "allowed_in": ["lowland", "woodland"]},
    }
    doc["boundary"] = {"penalty": 0.0005, "zones": [[1.0, 0.2], [0.2, 1.0]]}
    return doc


def write(tmp_path, doc) -> str:
    write_landscape(str(tmp_path), rows=8, cols=10)
    path = tmp_path / "zoned.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return str(path)


def zoned_from(path):
    s = load_scenario(path).scenario
    data, marxan = load_data(s)
    return s, data, build_zoned(s, build_problem(s, data, marxan), UnitLayers(s, data))


def test_yaml_zones_build_the_zoned_problem(tmp_path):
    s, data, zp = zoned_from(write(tmp_path, zoned_document()))
    assert zp.zones.names == ("strict", "oecm")
    np.testing.assert_allclose(zp.zones.cost[:, 1], 0.4 * data.cost)
    j = data.features.index("lowland")
    assert zp.zones.contribution[j].tolist() == [1.0, 1.0]
    assert zp.zones.contribution[data.features.index("markhor")].tolist() == [1.0, 0.5]
    allowed, need = zp.allowed()
    reserve = UnitLayers(s, data)("reserve", "r") > 0.5
    assert need[reserve].all() and not allowed[reserve, 1].any()  # reserves: strict only
    # Target 3 per country over both zones, and the strict floor per country
    assert [(c.zones, c.coverage.fraction, c.coverage.by) for c in zp.coverages] == [
        (None, 0.3, "jurisdiction"), (("strict",), 0.1, "jurisdiction")]
    assert zp.edge_costs[0, 1] == 0.2


def test_scplan_run_writes_a_zoned_results_folder_consistent_with_evaluation(tmp_path):
    path = write(tmp_path, zoned_document())
    out = tmp_path / "res"
    proc = subprocess.run([sys.executable, "-m", "scp.app.cli", "run", path, "--out", str(out), "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for f in ("solution.csv", "zones.csv", "features.csv", "summary.json", "solution.nc", "zones.tif", "zones.qml",
              "map.png", "report.md",
              "report.html", "scenario.yaml"):
        assert (out / f).is_file(), f
    sol = pd.read_csv(out / "solution.csv", keep_default_na=False)
    summary = json.loads((out / "summary.json").read_text())
    s, data, zp = zoned_from(path)
    ev = evaluate_zoned(zp, sol["zone"].to_numpy(dtype=object))
    assert ev.feasible, ev.violations
    assert summary["objective"] == pytest.approx(ev.objective, rel=1e-9)
    assert summary["coverage_target3"] == pytest.approx(ev.coverage_target3)
    zones = pd.read_csv(out / "zones.csv")
    assert zones["units"].tolist() == [int((sol["zone"] == z).sum()) for z in ("strict", "oecm")]
    for j in ("TKM", "UZB"):
        assert summary["coverage_by_jurisdiction"][j]["Target 3"] >= 0.3 - 1e-9
        assert summary["coverage_by_jurisdiction"][j]["strict"] >= 0.1 - 1e-9
    import rasterio

    with rasterio.open(out / "zones.tif") as src:
        band = src.read(1)
        assert src.nodata == 255 and src.colormap(1)[1][:3] == (0x1b, 0x78, 0x37)
    assert [int((band == k).sum()) for k in (1, 2)] == zones["units"].tolist()
    report = (out / "report.md").read_text()
    assert "Strict reserve" in report and "OECM" in report and "Coverage per jurisdiction" in report


@pytest.mark.parametrize("change,key", [
    (lambda d: d["zones"]["oecm"].update(cost="nope_layer"), "zones.oecm.cost"),
    (lambda d: d["zones"]["oecm"].update(contribution={"ghost": 1.0}), "zones.oecm.contribution.ghost"),
    (lambda d: d["boundary"].update(zones=[[1.0, 5.0], [5.0, 1.0]]), "boundary.zones"),
    (lambda d: d["zones"]["strict"]["coverage"].update(per_jurisdiction={"XXX": 0.1}),
     "zones.strict.coverage.per_jurisdiction"),
])
def test_bad_zone_keys_name_the_key(tmp_path, change, key):
    doc = zoned_document()
    change(doc)
    with pytest.raises(ScenarioError) as err:
        zoned_from(write(tmp_path, doc))
    assert key in str(err.value)
