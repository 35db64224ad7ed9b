"""Scenario sweeps on a local dask.distributed cluster of 2 workers, with a failing variant."""

from __future__ import annotations

import csv
import os

import numpy as np
import pytest
import yaml

import scp
from scenario_fixtures import write_scenario
from scp.app.sweep import elbow, load_sweep

pytest.importorskip("dask.distributed")


def test_elbow_of_a_curve():
    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    y = np.array([10.0, 3.0, 2.0, 1.5, 1.0])  # drops fast, then flattens: elbow at x = 1
    assert elbow(x, y) == 1
    assert elbow(x[::-1], y[::-1]) == 3  # order does not matter (index into the input)
    assert elbow([0, 1], [1, 0]) is None and elbow([0, 1, 2], [1, 1, 1]) is None


def test_sweep_file_errors(tmp_path):
    write_scenario(str(tmp_path))
    bad = tmp_path / "s.yaml"
    bad.write_text(yaml.safe_dump({"scenario": "small.yaml", "vary": {"boundary.penalty": []}}))
    with pytest.raises(scp.ScenarioError, match="non-empty lists"):
        load_sweep(str(bad))
    bad.write_text(yaml.safe_dump({"scenario": "small.yaml", "varients": {}}))
    with pytest.raises(scp.ScenarioError, match="unknown key"):
        load_sweep(str(bad))
    bad.write_text(yaml.safe_dump({"scenario": "nope.yaml", "vary": {"boundary.penalty": [0]}}))
    with pytest.raises(scp.ScenarioError, match="not found"):
        load_sweep(str(bad))
    bad.write_text(yaml.safe_dump({"scenario": "small.yaml", "vary": {"boundary.penalty": [0]},
                                   "tradeoff": {"x": "colour"}}))
    with pytest.raises(scp.ScenarioError, match="not a numeric result"):
        load_sweep(str(bad))


def test_sweep_on_two_workers_reports_a_failing_variant(tmp_path):
    from scp.app.cli import main

    write_scenario(str(tmp_path))
    sweep = {"scenario": "small.yaml", "name": "blm",
             "vary": {"boundary.penalty": [0.0, 0.0005, 0.002, 0.01]},
             "variants": {"impossible": {"targets": {"default": {"relative": 1.0}}, "budget": 1.0},
                          "national": {"targets_within": "jurisdiction"}},
             "workers": 2, "outputs": {"dir": "out"}}
    (tmp_path / "sweep.yaml").write_text(yaml.safe_dump(sweep))
    code = main(["sweep", str(tmp_path / "sweep.yaml")])
    assert code == 1  # one variant failed
    out = tmp_path / "out"
    with open(out / "sweep.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["variant"] for r in rows] == ["boundary.penalty=0.0", "boundary.penalty=0.0005",
                                            "boundary.penalty=0.002", "boundary.penalty=0.01",
                                            "impossible", "national"]
    failed = [r for r in rows if r["status"] == "failed"]
    assert [r["variant"] for r in failed] == ["impossible"] and "Infeasible" in failed[0]["error"]
    ok = [r for r in rows if r["status"] != "failed"]
    assert all(r["status"] == "optimal" for r in ok)
    # every variant's folder is complete and agrees with its row
    for r in ok:
        assert os.path.isfile(os.path.join(r["folder"], "summary.json"))
    # a larger boundary penalty never gives a longer boundary or a lower cost
    blm = ok[:4]
    lengths = [float(r["boundary_length"]) for r in blm]
    costs = [float(r["cost"]) for r in blm]
    assert lengths == sorted(lengths, reverse=True) and costs == sorted(costs)
    assert (out / "tradeoff.png").stat().st_size > 0 and "impossible" in (out / "sweep.md").read_text()
    # the folder is not replaced without --overwrite
    assert main(["sweep", str(tmp_path / "sweep.yaml")]) == 2


def test_tradeoff_axes_carry_units():
    from scp.app.sweep import axis_label

    units = {"cost": "index x km2", "boundary": "m"}
    assert axis_label("cost", units) == "cost (index x km²)"
    assert axis_label("boundary_length", units) == "boundary length (m)"
    assert axis_label("protconn", units) == "protconn (% of the region)"
    assert axis_label("cost", {}) == "cost"
