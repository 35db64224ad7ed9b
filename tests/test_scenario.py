"""Scenario schema, extends, path resolution and error messages."""

from __future__ import annotations

import os

import numpy as np
import pytest
import yaml

from scenario_fixtures import base_document, write_scenario
from scp import ScenarioError
from scp.app.scenario.build import build_problem, load_data
from scp.app.scenario.load import load_scenario, validate


def test_valid_scenario_loads_and_builds(tmp_path):
    loaded = load_scenario(write_scenario(str(tmp_path)))
    s = loaded.scenario
    assert s.name == "small" and s.data.grid.path == str(tmp_path / "data" / "land.nc")
    data, marxan = load_data(s)
    assert marxan is None and data.jurisdictions == ("TKM", "UZB") and data.n_pu == 12 * 16 - 1
    p = build_problem(s, data)
    t = p.resolved_targets()
    np.testing.assert_allclose(t, [0.3, 0.3, 0.5] * data.feature_totals)
    assert p.penalties[0].penalty == 0.0005
    assert [c.by for c in p.constraints] == ["jurisdiction"]


def test_extends_overrides_and_resolves_paths_per_file(tmp_path):
    write_scenario(str(tmp_path))  # tmp/small.yaml with data/land.nc
    os.makedirs(tmp_path / "variants")
    child = {"extends": "../small.yaml", "name": "strict", "targets": {"markhor": {"relative": 0.8}},
             "solver": {"gap": 0.01}}
    (tmp_path / "variants" / "strict.yaml").write_text(yaml.safe_dump(child))
    loaded = load_scenario(str(tmp_path / "variants" / "strict.yaml"))
    s = loaded.scenario
    assert s.name == "strict" and s.solver.gap == 0.01 and s.solver.name == "highs"  # deep merge keeps name
    assert s.targets["markhor"].relative == 0.8 and s.targets["default"].relative == 0.3
    assert s.data.grid.path == str(tmp_path / "data" / "land.nc")  # relative to small.yaml, not the child
    assert loaded.chain == (str(tmp_path / "variants" / "strict.yaml"), str(tmp_path / "small.yaml"))


def errors_of(doc) -> str:
    with pytest.raises(ScenarioError) as err:
        validate(doc, "s.yaml")
    assert err.value.path is not None
    return str(err.value)


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda d: d["targets"]["markhor"].update(relative=1.4), "targets.markhor.relative: 1.4 is not in [0, 1]"),
        (lambda d: d.update(boundry={"penalty": 1}), "boundry: unknown key 'boundry'; did you mean 'boundary'?"),
        (lambda d: d["data"]["grid"].update(jurisdicton="country"),
         "data.grid.jurisdicton: unknown key 'jurisdicton'; did you mean 'jurisdiction'?"),
        (lambda d: d["solver"].update(gap="abc"), "solver.gap: 'abc'"),
        (lambda d: d["solver"].update(gap=2), "solver.gap: 2 is not in [0, 1)"),
        (lambda d: d["solver"].update(time_limit=-5), "solver.time_limit: -5 must be > 0"),
        (lambda d: d.pop("name"), "name: required key is missing"),
        (lambda d: d["data"].update(marxan="x"), "give exactly one data source"),
        (lambda d: d.update(coverage={"per_jurisdiction": {"TKM": 3}}), "coverage.per_jurisdiction.TKM: 3 is not in [0, 1]"),
        (lambda d: d["targets"].update(urial={"relative": 0.2, "absolute": 3}), "targets.urial: give exactly one"),
        (lambda d: d.update(objective={"type": "max_utility"}), "objective: objective max_utility needs a budget"),
        (lambda d: d.update(objective={"type": "cheapest"}), "objective.type"),
        (lambda d: d.update(budget=-1), "budget: -1 must be >= 0"),
        (lambda d: d["boundary"].update(edge_factor=2), "boundary.edge_factor: 2 is not in [0, 1]"),
    ],
)
def test_invalid_documents_name_the_yaml_path(mutate, expected):
    doc = base_document()
    mutate(doc)
    assert expected in errors_of(doc)


def test_file_level_errors(tmp_path):
    path = write_scenario(str(tmp_path))
    # missing data file names the key and the resolved path
    doc = base_document()
    doc["data"]["grid"]["path"] = "data/nope.nc"
    p2 = write_scenario(str(tmp_path), doc, "missing.yaml")
    with pytest.raises(ScenarioError, match=r"data.grid.path: file .*nope.nc not found"):
        load_scenario(p2)
    # YAML syntax error with line number
    (tmp_path / "broken.yaml").write_text("name: x\ndata: [unclosed\n")
    with pytest.raises(ScenarioError, match="not valid YAML at line"):
        load_scenario(str(tmp_path / "broken.yaml"))
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    with pytest.raises(ScenarioError, match="must be a mapping"):
        load_scenario(str(tmp_path / "list.yaml"))
    # extends cycle and missing parent
    (tmp_path / "a.yaml").write_text("extends: b.yaml\nname: a\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\nname: b\n")
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(str(tmp_path / "a.yaml"))
    (tmp_path / "c.yaml").write_text("extends: gone.yaml\nname: c\n")
    with pytest.raises(ScenarioError, match="gone.yaml not found"):
        load_scenario(str(tmp_path / "c.yaml"))
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario(str(tmp_path / "absent.yaml"))
    assert load_scenario(path).scenario.name == "small"


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda d: d["targets"].update(markhr={"relative": 0.4}), "targets.markhr: unknown feature 'markhr'; did you mean 'markhor'?"),
        (lambda d: d["data"]["grid"].update(cost="price"), "data.grid.cost: layer 'price' is not in"),
        (lambda d: d["data"]["grid"].update(locked_in=["reserves"]), "did you mean 'reserve'?"),
        (lambda d: d.update(coverage={"per_jurisdiction": {"KAZ": 0.3}}), "coverage.per_jurisdiction.KAZ: unknown jurisdiction"),
    ],
)
def test_data_level_errors_name_the_yaml_path(tmp_path, mutate, expected):
    doc = base_document()
    mutate(doc)
    loaded = load_scenario(write_scenario(str(tmp_path), doc))
    with pytest.raises(ScenarioError) as err:
        data, marxan = load_data(loaded.scenario)
        build_problem(loaded.scenario, data, marxan)
    assert expected in str(err.value)


def test_targets_from_tables_and_marxan_sources(tmp_path):
    import pandas as pd

    pd.DataFrame({"id": [1, 2, 3], "cost": [1.0, 2.0, 3.0], "jurisdiction": ["A", "A", "B"]}).to_csv(tmp_path / "pu.csv", index=False)
    pd.DataFrame({"pu": [1, 2, 3], "feature": ["f", "f", "g"], "amount": [1.0, 1.0, 2.0]}).to_csv(tmp_path / "rij.csv", index=False)
    doc = {"name": "t", "data": {"tables": {"pu": "pu.csv", "rij": "rij.csv"}}, "targets": {"default": 0.5}}
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(doc))
    loaded = load_scenario(str(tmp_path / "t.yaml"))
    data, _ = load_data(loaded.scenario)
    sol = build_problem(loaded.scenario, data).solve()
    assert sol.selection.tolist() == [True, False, True] and sol.evaluation.feasible


@pytest.mark.parametrize("kind", ["min_largest_shortfall", "max_features_met", "max_cover"])
def test_objective_types_from_yaml_build_and_solve(tmp_path, kind):
    import scp

    doc = base_document()
    doc["objective"] = {"type": kind, "budget": 60.0, "weights": {"markhor": 2.0}}
    doc.pop("coverage")
    if kind == "max_cover":
        doc.pop("targets")
    s = load_scenario(write_scenario(str(tmp_path), doc)).scenario
    data, _ = load_data(s)
    p = build_problem(s, data)
    assert p.objective.name == kind and p.objective.budget == 60.0 and dict(p.objective.weights) == {"markhor": 2.0}
    sol = scp.solve(p, gap=0.0, time_limit=60)
    assert sol.evaluation.feasible and sol.evaluation.cost <= 60.0 + 1e-6
    if kind == "max_features_met":  # the targets met, weighted, less the tie-break and the penalties
        met = [f.met for f in sol.evaluation.features]
        tie = 0.01 * 1.0 / data.cost.sum() * sol.evaluation.cost
        assert sol.objective == pytest.approx(sum(2.0 if f.name == "markhor" else 1.0
                                                  for f, m in zip(sol.evaluation.features, met) if m)
                                              - tie - sum(sol.evaluation.penalties.values()))


def test_linear_penalties_from_a_layer(tmp_path):
    import scp

    doc = base_document()
    doc["linear_penalties"] = {"footprint": {"layer": "cost", "penalty": 0.5}}
    s = load_scenario(write_scenario(str(tmp_path), doc)).scenario
    data, _ = load_data(s)
    p = build_problem(s, data)
    lp = [q for q in p.penalties if getattr(q, "name", None) == "footprint"][0]
    np.testing.assert_allclose(lp.values, data.cost)
    sol = scp.solve(p, gap=0.0, time_limit=60)
    assert sol.evaluation.penalties["linear:footprint"] == pytest.approx(0.5 * sol.evaluation.cost)
    doc["linear_penalties"] = {"footprint": {"layer": "nope", "penalty": 0.5}}
    with pytest.raises(ScenarioError, match="linear_penalties.footprint.layer"):
        s = load_scenario(write_scenario(str(tmp_path), doc, "bad.yaml")).scenario
        build_problem(s, load_data(s)[0])


def test_group_targets_from_yaml(tmp_path):
    import scp

    doc = base_document()
    doc["group_targets"] = {"habitat": {"features": ["lowland", "woodland"], "relative": 0.45}}
    s = load_scenario(write_scenario(str(tmp_path), doc)).scenario
    data, _ = load_data(s)
    p = build_problem(s, data)
    g = [c for c in p.constraints if getattr(c, "name", None) == "habitat"][0]
    j = [data.features.index("lowland"), data.features.index("woodland")]
    assert g.amount(data) == pytest.approx(0.45 * data.feature_totals[j].sum())
    sol = scp.solve(p, gap=0.0, time_limit=60)
    held = {f.name: f.held for f in sol.evaluation.features}
    assert held["lowland"] + held["woodland"] >= g.amount(data) - 1e-6
    doc["group_targets"] = {"habitat": {"features": ["lowland", "wodland"], "relative": 0.45}}
    with pytest.raises(ScenarioError, match="group_targets.habitat.features"):
        s = load_scenario(write_scenario(str(tmp_path), doc, "bad.yaml")).scenario
        build_problem(s, load_data(s)[0])


def test_loglinear_targets_from_yaml_with_overrides(tmp_path):
    from scp.problem.targets import loglinear_targets

    doc = base_document()
    doc["loglinear_targets"] = {"lower_amount": 5.0, "lower_target": 0.9, "upper_amount": 50.0, "upper_target": 0.2}
    doc["targets"] = {"markhor": {"relative": 0.5}}
    s = load_scenario(write_scenario(str(tmp_path), doc)).scenario
    data, _ = load_data(s)
    t = build_problem(s, data).resolved_targets()
    expected = loglinear_targets(data.feature_totals, 5.0, 0.9, 50.0, 0.2)
    j = data.features.index("markhor")
    expected[j] = 0.5 * data.feature_totals[j]
    np.testing.assert_allclose(t, expected)


def test_capped_relative_targets_from_yaml(tmp_path):
    doc = base_document()
    doc["targets"] = {"default": {"relative": 0.3, "cap": 2.0}}
    s = load_scenario(write_scenario(str(tmp_path), doc)).scenario
    data, _ = load_data(s)
    np.testing.assert_allclose(build_problem(s, data).resolved_targets(), np.minimum(0.3 * data.feature_totals, 2.0))
    doc["targets"] = {"default": {"absolute": 3.0, "cap": 2.0}}
    with pytest.raises(ScenarioError, match="cap"):
        load_scenario(write_scenario(str(tmp_path), doc, "bad.yaml"))


def test_target_rules_from_a_table(tmp_path):
    doc = base_document()
    (tmp_path / "traits.csv").write_text("feature,iucn\nmarkhor,EN\nwoodland,LC\nlowland,\n")
    doc["target_rules"] = {"file": "traits.csv", "column": "iucn", "shares": {"EN": 0.7, "LC": 0.1}}
    doc["targets"] = {"default": {"relative": 0.3}, "woodland": {"relative": 0.25}}
    s = load_scenario(write_scenario(str(tmp_path), doc)).scenario
    data, _ = load_data(s)
    t = build_problem(s, data).resolved_targets() / data.feature_totals
    shares = dict(zip(data.features, t))
    # markhor by its rule (over the default), lowland no category -> the default, woodland's own entry wins
    assert shares["markhor"] == pytest.approx(0.7) and shares["lowland"] == pytest.approx(0.3)
    assert shares["woodland"] == pytest.approx(0.25)
    doc["target_rules"]["column"] = "status"
    with pytest.raises(ScenarioError, match="target_rules.column"):
        s = load_scenario(write_scenario(str(tmp_path), doc, "bad.yaml")).scenario
        build_problem(s, load_data(s)[0])
    doc["target_rules"] = {"file": "nope.csv", "column": "iucn", "shares": {"EN": 0.7}}
    with pytest.raises(ScenarioError, match="target_rules.file"):
        load_scenario(write_scenario(str(tmp_path), doc, "bad2.yaml"))


def test_decisions_and_decision_bounds_from_yaml(tmp_path):
    import scp

    doc = base_document()
    doc["decisions"] = {"type": "semicontinuous", "upper": 0.8}
    doc["decision_bounds"] = {"upper": "reserve"}  # units outside the reserve layer are capped at 0
    doc["targets"] = {"default": {"relative": 0.05}}
    doc.pop("coverage")
    s = load_scenario(write_scenario(str(tmp_path), doc)).scenario
    data, _ = load_data(s)
    p = build_problem(s, data)
    assert p.decisions.kind == "semicontinuous" and p.decisions.upper == 0.8
    with pytest.raises(scp.Infeasible, match="each at its largest share"):  # only the reserve may be used
        scp.solve(p, time_limit=60)
    doc["decision_bounds"] = {"lower": "reserve"}
    doc["decisions"] = {"type": "proportion"}
    s = load_scenario(write_scenario(str(tmp_path), doc)).scenario
    p = build_problem(s, load_data(s)[0])
    sol = scp.solve(p, time_limit=60)
    assert "share" in sol.to_frame().columns and sol.evaluation.feasible
    assert (sol.shares[data.status == 1] == 1).all() and ((sol.shares > 0) & (sol.shares < 1)).any()
    doc["decisions"] = {"type": "semicontinuous"}
    with pytest.raises(ScenarioError, match="upper"):
        load_scenario(write_scenario(str(tmp_path), doc, "bad.yaml"))
    doc["decisions"] = {"type": "fractional"}
    with pytest.raises(ScenarioError, match="decisions"):
        load_scenario(write_scenario(str(tmp_path), doc, "bad2.yaml"))
