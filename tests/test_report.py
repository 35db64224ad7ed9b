"""Reports for a grid, a polygon and a Marxan case: units, coverage beside its target per
jurisdiction, existing vs added, the objective as a sum of its terms, and number formats."""

from __future__ import annotations

import json
import os
import re

import numpy as np
import pandas as pd
import pytest
import yaml

from scenario_fixtures import base_document, write_scenario
from scp.app.cli import main
from scp.app.report import fmt
from scp.app.report.content import objective_equation


def read(out):
    summary = json.loads((out / "summary.json").read_text())
    return summary, (out / "report.html").read_text(encoding="utf-8"), (out / "report.md").read_text(encoding="utf-8")


def table_rows(md: str, heading: str) -> list[list[str]]:
    """Rows of the first Markdown table under ``## heading``."""
    part = md.split(f"## {heading}\n", 1)[1]
    lines = [ln for ln in part.split("\n## ", 1)[0].splitlines() if ln.startswith("|")]
    return [[c.strip() for c in ln.strip("|").split(" | ")] for ln in lines[2:]]


def split_from_csv(out) -> dict[str, tuple[float, float]]:
    """(existing area, added area) per jurisdiction, recomputed from solution.csv."""
    t = pd.read_csv(out / "solution.csv")
    sel = t["selected"] == 1
    existing = sel & (t["status"] == 1)
    groups = {"total": np.ones(len(t), bool)}
    if "jurisdiction" in t:
        groups.update({k: (t["jurisdiction"] == k).to_numpy() for k in t["jurisdiction"].unique()})
    return {k: (float(t["area"][existing & m].sum()), float(t["area"][sel & ~existing & m].sum()))
            for k, m in groups.items()}


def test_grid_report_has_units_targets_and_split(tmp_path):
    doc = base_document()
    doc["title"] = "Small landscape, 30% in each country"
    doc["units"] = {"cost": "USD", "area": "km2", "markhor": "suitability-weighted km2"}
    path = write_scenario(str(tmp_path), doc)
    out = tmp_path / "res"
    assert main(["run", path, "--out", str(out), "--quiet"]) == 0
    summary, html, md = read(out)
    assert summary["units"]["cost"] == "USD" and summary["units"]["features"]["markhor"] == "suitability-weighted km2"
    assert "<h1>Small landscape, 30% in each country</h1>" in html
    # units in the tables and in the summary text
    assert "area (km²)" in html and "total cost (USD)" in html and "suitability-weighted km²" in html
    rows = {r[0]: r for r in table_rows(md, "Coverage and cost by jurisdiction")}
    assert set(rows) == {"TKM", "UZB", "total"}
    for k in ("TKM", "UZB"):  # coverage beside its target, with the mark
        assert rows[k][5] == "30.0%" and rows[k][6] == "✓ met"
        assert float(rows[k][4].rstrip("%")) >= 30.0 - 0.05
    split = split_from_csv(out)
    for k, (existing, added) in split.items():
        assert rows[k][2] == fmt.num(existing) and rows[k][3] == fmt.num(added)
    assert split["total"][0] > 0 and split["total"][1] > 0  # both parts exist in this plan
    # the objective as the sum of its terms, equal to the verified objective
    terms = dict((k, v) for k, v in summary["objective_terms"])
    assert terms["cost"] + terms["boundary penalty"] == pytest.approx(terms["objective"])
    assert terms["objective"] == pytest.approx(summary["objective"])
    assert objective_equation(summary["objective_terms"]) in md
    # plain-language summary first, with coverage per jurisdiction and its target
    first = md.split("## Summary\n", 1)[1].split("\n## ", 1)[0]
    assert "TKM" in first and "(target 30.0%)" in first and "Asked for:" in first
    # provenance: no absolute local path, a run date and a data digest
    assert str(tmp_path) not in html and "run date (UTC)" in html
    assert re.search(r"input data digest \(SHA-256\) \| [0-9a-f]{64}", md)


def test_below_target_is_marked(tmp_path):
    # coverage floor 30% over the whole region only; report targets per country come from floors,
    # so a country below the region's floor is shown without a target, and the total row with one
    doc = base_document()
    doc["coverage"] = {"total": 0.3, "per_jurisdiction": {"TKM": 0.3}}
    path = write_scenario(str(tmp_path), doc)
    out = tmp_path / "res"
    assert main(["run", path, "--out", str(out), "--quiet"]) == 0
    summary, html, md = read(out)
    rows = {r[0]: r for r in table_rows(md, "Coverage and cost by jurisdiction")}
    assert rows["TKM"][5] == "30.0%" and rows["UZB"][5] == "-" and rows["total"][5] == "30.0%"
    # a damaged summary with a short country renders the mark in red
    summary["by_jurisdiction"][0]["coverage_met"] = False
    (out / "summary.json").write_text(json.dumps(summary))
    assert main(["report", str(out)]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'class="t short">✗ short' in html and "BELOW TARGET" in html


def test_polygon_report_has_crs_units(tmp_path):
    from test_vector import make_gpkg, vector_document

    make_gpkg(tmp_path / "pus.gpkg")
    (tmp_path / "poly.yaml").write_text(yaml.safe_dump(vector_document()))
    out = tmp_path / "res"
    assert main(["run", str(tmp_path / "poly.yaml"), "--out", str(out), "--quiet"]) == 0
    summary, html, md = read(out)
    assert summary["units"]["area"] == "m2" and summary["units"]["boundary"] == "m"  # from EPSG:32642
    assert "area (m²)" in html and re.search(r"boundary length \| [\d,]+ m \|", md)
    rows = {r[0]: r for r in table_rows(md, "Coverage and cost by jurisdiction")}
    split = split_from_csv(out)
    for k in ("TKM", "UZB", "total"):
        assert rows[k][2] == fmt.num(split[k][0]) and rows[k][3] == fmt.num(split[k][1])
    assert rows["TKM"][5] == "30.0%" and rows["TKM"][6] == "✓ met"


def test_marxan_report_has_split_and_score_terms(tmp_path):
    from test_marxan import make_folder

    root = make_folder(tmp_path / "proj")
    out = tmp_path / "res"
    assert main(["marxan", root, "--out", str(out), "--quiet"]) == 0
    summary, html, md = read(out)
    rows = {r[0]: r for r in table_rows(md, "Coverage and cost")}
    assert list(rows) == ["total"]
    existing, added = split_from_csv_marxan(out, root)
    assert rows["total"][2] == fmt.num(existing) and rows["total"][3] == fmt.num(added)
    terms = dict((k, v) for k, v in summary["objective_terms"])
    assert terms["cost"] + terms["boundary penalty"] == pytest.approx(summary["marxan_score"])
    assert "data:image/png;base64," in html and str(tmp_path) not in html


def split_from_csv_marxan(out, root) -> tuple[float, float]:
    best = pd.read_csv(out / "output_best.csv")
    pu = pd.read_csv(os.path.join(root, "in", "pu.dat"))
    sel = best["solution"].to_numpy() == 1
    locked = pu["status"].to_numpy() == 2
    return float((sel & locked).sum()), float((sel & ~locked).sum())  # area 1 per unit


@pytest.mark.parametrize("value, text", [(10487.33, "10,487"), (254.34, "254.3"), (4.498, "4.50"),
                                         (0.00123, "0.00123"), (12, "12"), (0.0, "0"), (float("nan"), "-")])
def test_one_format_per_magnitude(value, text):
    assert fmt.num(value) == text


def test_shares_and_gaps_are_written_one_way():
    assert fmt.pct(0.30031) == "30.0%" and fmt.pct(0.337) == "33.7%"
    assert fmt.gap(0.0000462) == "0.005%" and fmt.gap(0.0) == "0.000%" and fmt.gap(float("inf")) == "-"
    assert fmt.unit_text("km2") == "km²" and fmt.unit_text("suitability-weighted km2") == "suitability-weighted km²"
    assert fmt.unit_text("index x km2") == "index x km²" and fmt.unit_text("USD") == "USD"
    assert "optimal" not in fmt.status_text("within_gap", 0.004)
    assert fmt.status_text("optimal", 0.0) == "proven optimal"
