"""`scplan run / validate / report` end to end on a small generated scenario."""

from __future__ import annotations

import scp
import json
import os

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from scenario_fixtures import base_document, write_scenario
from scp.app.cli import main
from scp.app.scenario.build import build_problem, load_data
from scp.app.scenario.load import load_scenario


@pytest.fixture
def scenario(tmp_path):
    return write_scenario(str(tmp_path))


def test_run_writes_every_output_consistent_with_evaluate(scenario, tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", scenario, "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "report.html" in printed
    for name in ("solution.csv", "features.csv", "summary.json", "solution.nc", "solution.tif", "map.png",
                 "report.md", "report.html", "scenario.yaml"):
        assert (out / name).is_file(), name
    # recompute everything from the selection in solution.csv
    loaded = load_scenario(scenario)
    data, _ = load_data(loaded.scenario)
    problem = build_problem(loaded.scenario, data)
    table = pd.read_csv(out / "solution.csv")
    np.testing.assert_array_equal(table["id"], data.ids)
    ev = scp.evaluate(problem, table["selected"].to_numpy().astype(bool))
    summary = json.loads((out / "summary.json").read_text())
    required = {"scenario", "status", "objective", "bound", "gap", "cost", "n_selected", "area_selected", "coverage",
                "targets_met", "n_targets_missed", "boundary_length", "runtime_s", "solver", "versions",
                "scenario_digest"}
    assert required <= set(summary)
    assert summary["cost"] == pytest.approx(ev.cost) and summary["n_selected"] == ev.n_selected
    assert summary["coverage"]["TKM"] == pytest.approx(ev.coverage_by_jurisdiction["TKM"])
    assert min(ev.coverage_by_jurisdiction.values()) >= 0.3 - 1e-9
    assert summary["boundary_length"] == pytest.approx(ev.boundary_length)
    assert summary["objective"] == pytest.approx(ev.objective) and summary["targets_met"] is ev.targets_met is True
    assert summary["status"] == "optimal" and summary["gap"] <= 1e-9
    feats = pd.read_csv(out / "features.csv")
    np.testing.assert_allclose(feats["held"], [f.held for f in ev.features])
    assert feats["met"].all()
    # the grid files carry the same selection
    with xr.open_dataset(out / "solution.nc") as ds:
        grid = ds["selected"].values
    assert np.isnan(grid[0, 0]) and np.nansum(grid) == ev.n_selected
    import rioxarray

    tif = rioxarray.open_rasterio(out / "solution.tif", masked=True)
    assert float(np.nansum(tif.values)) == ev.n_selected
    html = (out / "report.html").read_text()
    # self-contained: the map is embedded, nothing refers to a file beside the report
    assert "<table>" in html and "data:image/png;base64," in html and 'src="map.png"' not in html
    assert "markhor" in html


def test_refuses_to_overwrite_and_exit_codes(scenario, tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", scenario, "--out", str(out), "--quiet"]) == 0
    before = (out / "solution.csv").read_bytes()
    assert main(["run", scenario, "--out", str(out), "--quiet"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (out / "solution.csv").read_bytes() == before
    assert main(["run", scenario, "--out", str(out), "--quiet", "--overwrite"]) == 0
    # bad input: exit 2, naming the YAML path
    bad = base_document()
    bad["targets"]["markhor"]["relative"] = 1.4
    assert main(["run", write_scenario(str(tmp_path), bad, "bad.yaml"), "--out", str(tmp_path / "x")]) == 2
    assert "targets.markhor.relative: 1.4 is not in [0, 1]" in capsys.readouterr().err
    assert main(["validate", str(tmp_path / "bad.yaml")]) == 2
    # infeasible: exit 1, nothing written
    inf = base_document()
    inf["targets"]["lowland"] = {"absolute": 1e6}
    p = write_scenario(str(tmp_path), inf, "inf.yaml")
    assert main(["run", p, "--out", str(tmp_path / "y"), "--quiet"]) == 1
    assert "feature 'lowland'" in capsys.readouterr().err and not (tmp_path / "y").exists()
    assert main(["validate", p]) == 1


def test_same_scenario_same_solution_and_digest(scenario, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", scenario, "--out", str(a), "--quiet"]) == 0
    assert main(["run", scenario, "--out", str(b), "--quiet"]) == 0
    assert (a / "solution.csv").read_bytes() == (b / "solution.csv").read_bytes()
    sa, sb = (json.loads((x / "summary.json").read_text()) for x in (a, b))
    assert sa["scenario_digest"] == sb["scenario_digest"] and sa["model_digest"] == sb["model_digest"]


def test_validate_and_report_commands(scenario, tmp_path, capsys):
    assert main(["validate", scenario]) == 0
    assert "valid scenario 'small'" in capsys.readouterr().out
    out = tmp_path / "res"
    assert main(["run", scenario, "--out", str(out), "--quiet", "--solver", "cbc", "--gap", "0.01"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["solver"] == "cbc" and summary["gap"] <= 0.01
    os.remove(out / "report.md")
    assert main(["report", str(out)]) == 0
    assert "## Features" in (out / "report.md").read_text()
    assert main(["report", str(tmp_path / "nothing")]) == 2


def test_help_everywhere(capsys):
    for argv in (["--help"], ["run", "--help"], ["validate", "--help"], ["report", "--help"], ["marxan", "--help"]):
        with pytest.raises(SystemExit) as e:
            main(argv)
        assert e.value.code == 0
    assert "usage: scplan" in capsys.readouterr().out
