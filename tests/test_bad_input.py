"""Broken or hostile input gets a clear error and writes nothing: Marxan projects, tables, grids,
results folders and scenario files (items 9-11 of the fault list), and random damage driven
through every input format by hypothesis."""

from __future__ import annotations

import contextlib
import io
import os
import random
import shutil
import tempfile

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenario_fixtures import base_document, write_scenario
from scp.app.cli import main
from test_marxan import make_folder


def run_cli(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    return code, err.getvalue()


# 9. Marxan input
@pytest.mark.parametrize("line, message", [
    ("BLM abc", "BLM 'abc' is not a number"),
    ("BLM -5", "BLM -5 must be a finite number >= 0"),
    ("BLM nan", "BLM nan must be a finite number"),
    ("COSTTHRESH lots", "COSTTHRESH 'lots' is not a number"),
    ("MISSLEVEL high", "MISSLEVEL 'high' is not a number"),
    ("MISSLEVEL 1.5", "MISSLEVEL 1.5 must be a finite number in (0, 1]"),
])
def test_marxan_parameters_are_checked_when_read(tmp_path, line, message):
    root = make_folder(tmp_path)
    text = open(os.path.join(root, "input.dat")).read()
    key = line.split()[0]
    text = "\n".join(x for x in text.splitlines() if not x.startswith(key + " ")) + f"\n{line}\n"
    open(os.path.join(root, "input.dat"), "w").write(text)
    code, err = run_cli(["marxan", root, "--out", str(tmp_path / "res"), "--quiet"])
    assert code == 2 and message in err and "input.dat" in err and "Traceback" not in err
    assert not (tmp_path / "res").exists()


def test_negative_blm_override_is_refused(tmp_path):
    root = make_folder(tmp_path)
    code, err = run_cli(["marxan", root, "--blm", "-5", "--out", str(tmp_path / "res"), "--quiet"])
    assert code == 2 and "blm" in err and ">= 0" in err


@pytest.mark.parametrize("content", ["", "id,cost,status\n"])
def test_empty_pu_file(tmp_path, content):
    root = make_folder(tmp_path)
    open(os.path.join(root, "in", "pu.dat"), "w").write(content)
    code, err = run_cli(["marxan", root, "--out", str(tmp_path / "res"), "--quiet"])
    assert code == 2 and "pu.dat" in err and ("empty" in err or "no planning units" in err)


def test_fractional_marxan_ids_are_refused(tmp_path):
    root = make_folder(tmp_path)
    pu = pd.read_csv(os.path.join(root, "in", "pu.dat"))
    pu["id"] = pu["id"] + 0.5
    pu.to_csv(os.path.join(root, "in", "pu.dat"), index=False)
    code, err = run_cli(["marxan", root, "--out", str(tmp_path / "res"), "--quiet"])
    assert code == 2 and "id 1.5 is not a whole number" in err


# 10. tables and grids
def tables_scenario(folder: str) -> str:
    rng = np.random.default_rng(3)
    n = 12
    pd.DataFrame({"id": np.arange(1, n + 1), "cost": rng.uniform(1, 5, n).round(2)}).to_csv(
        os.path.join(folder, "pu.csv"), index=False)
    rows = [(i, f, round(float(rng.uniform(0.5, 2)), 2)) for i in range(1, n + 1) for f in ("a", "b") if rng.random() < 0.6]
    pd.DataFrame(rows, columns=["pu", "feature", "amount"]).to_csv(os.path.join(folder, "rij.csv"), index=False)
    pairs = [(i, i + 1, 1.0) for i in range(1, n)]
    pd.DataFrame(pairs, columns=["id1", "id2", "boundary"]).to_csv(os.path.join(folder, "bound.csv"), index=False)
    doc = {"name": "tab", "data": {"tables": {"pu": "pu.csv", "rij": "rij.csv", "boundary": "bound.csv"}},
           "targets": {"default": 0.3}, "boundary": {"penalty": 0.1}}
    path = os.path.join(folder, "tab.yaml")
    with open(path, "w") as fh:
        yaml.safe_dump(doc, fh)
    return path


def test_text_boundary_length_in_a_table(tmp_path):
    p = tables_scenario(str(tmp_path))
    b = pd.read_csv(tmp_path / "bound.csv")
    b["boundary"] = b["boundary"].astype(object)
    b.loc[3, "boundary"] = "long"
    b.to_csv(tmp_path / "bound.csv", index=False)
    code, err = run_cli(["run", p, "--out", str(tmp_path / "res"), "--quiet"])
    assert code == 2 and "'long' in row 4, which is not a number" in err and "bound.csv" in err


def test_empty_feature_name_in_a_table(tmp_path):
    p = tables_scenario(str(tmp_path))
    r = pd.read_csv(tmp_path / "rij.csv")
    r.loc[0, "feature"] = " "
    r.to_csv(tmp_path / "rij.csv", index=False)
    code, err = run_cli(["run", p, "--out", str(tmp_path / "res"), "--quiet"])
    assert code == 2 and "empty feature name" in err


def test_text_valued_grid_layer(tmp_path):
    p = write_scenario(str(tmp_path))
    path = tmp_path / "data" / "land.nc"
    ds = xr.load_dataset(path)
    ds["woodland"] = ds["woodland"].astype(str)
    ds.to_netcdf(path)
    code, err = run_cli(["run", p, "--out", str(tmp_path / "res"), "--quiet"])
    assert code == 2 and "layer 'woodland' holds" in err and "land.nc" in err


# 11. silent oddities
def test_infinite_cost_in_a_grid_cell_is_an_error_not_a_dropped_cell(tmp_path):
    p = write_scenario(str(tmp_path))
    path = tmp_path / "data" / "land.nc"
    ds = xr.load_dataset(path)
    ds["cost"][3, 4] = np.inf
    ds.to_netcdf(path)
    code, err = run_cli(["run", p, "--out", str(tmp_path / "res"), "--quiet"])
    assert code == 2 and "infinite cost" in err


def test_a_plan_with_no_features_is_refused(tmp_path):
    doc = base_document()
    doc["data"]["grid"]["features"] = []
    doc["targets"] = {}
    code, err = run_cli(["run", write_scenario(str(tmp_path), doc), "--out", str(tmp_path / "res"), "--quiet"])
    assert code == 2 and "no features" in err and not (tmp_path / "res").exists()


def test_coverage_shares_are_worded_exactly(tmp_path):
    doc = base_document()
    doc["coverage"] = {"per_jurisdiction": 0.999}
    code, err = run_cli(["run", write_scenario(str(tmp_path), doc), "--out", str(tmp_path / "res"), "--quiet"])
    assert code == 1 and "coverage of 99.9%" in err and "100%" not in err


def test_validate_does_not_call_an_infeasible_scenario_valid(tmp_path, capsys):
    doc = base_document()
    doc["targets"]["lowland"] = {"absolute": 1e6}
    code = main(["validate", write_scenario(str(tmp_path), doc)])
    out, err = capsys.readouterr()
    assert code == 1 and "valid scenario" not in out and "valid but infeasible" in err


def test_duplicate_keys_in_a_sweep_file(tmp_path):
    (tmp_path / "sw.yaml").write_text("scenario: a.yaml\nname: x\nname: y\n")
    code, err = run_cli(["sweep", str(tmp_path / "sw.yaml")])
    assert code == 2 and "duplicate key 'name'" in err


# random damage through every input format
CELLS = ["nan", "inf", "-inf", "abc", "", "-1", "1e309"]


def damage_text(text: str, rng: random.Random) -> str:
    kind = rng.choice(["truncate", "flip", "drop_column", "cell"])
    if kind == "truncate" or not text:
        return text[: rng.randrange(len(text) + 1)]
    if kind == "flip":
        k = rng.randrange(len(text))
        return text[:k] + chr(rng.randrange(1, 127)) + text[k + 1:]
    lines = text.splitlines()
    sep = "\t" if "\t" in lines[0] else ("," if "," in lines[0] else None)
    if kind == "drop_column" and sep:
        col = rng.randrange(len(lines[0].split(sep)))
        return "\n".join(sep.join(c for i, c in enumerate(line.split(sep)) if i != col) for line in lines) + "\n"
    row = rng.randrange(len(lines))
    cells = lines[row].split(sep) if sep else lines[row].split(" ")
    cells[rng.randrange(len(cells))] = rng.choice(CELLS)
    lines[row] = (sep or " ").join(cells)
    return "\n".join(lines) + "\n"


def damage_grid(path: str, rng: random.Random) -> None:
    kind = rng.choice(["truncate", "flip", "cell", "drop"])
    raw = open(path, "rb").read()
    if kind == "truncate":
        open(path, "wb").write(raw[: rng.randrange(len(raw))])
    elif kind == "flip":
        k = rng.randrange(len(raw))
        open(path, "wb").write(raw[:k] + bytes([rng.randrange(256)]) + raw[k + 1:])
    else:
        ds = xr.load_dataset(path)
        name = rng.choice(sorted(map(str, ds.data_vars)))
        if kind == "drop":
            ds = ds.drop_vars(name)
        else:
            v = ds[name].values.astype(object if rng.random() < 0.3 else np.float64)
            v[rng.randrange(v.shape[0]), rng.randrange(v.shape[1])] = rng.choice([np.nan, np.inf, -np.inf, "abc"]) \
                if v.dtype == object else rng.choice([np.nan, np.inf, -np.inf, -1.0])
            ds[name] = (ds[name].dims, v.astype(str) if v.dtype == object else v)
        ds.to_netcdf(path)


def make_case(fmt: str, folder: str) -> tuple[list[str], list[str]]:
    """The command line of one input format and the files random damage may hit."""
    if fmt == "yaml":
        p = write_scenario(folder)
        return ["run", p], [p]
    if fmt == "grid":
        p = write_scenario(folder)
        return ["run", p], [os.path.join(folder, "data", "land.nc")]
    if fmt == "tables":
        p = tables_scenario(folder)
        return ["run", p], [os.path.join(folder, f) for f in ("pu.csv", "rij.csv", "bound.csv")]
    root = make_folder(folder)
    return ["marxan", root], [os.path.join(root, "input.dat")] + [os.path.join(root, "in", f) for f in
                                                                   ("pu.dat", "spec.dat", "puvspr.dat", "bound.dat")]


@pytest.mark.parametrize("fmt", ["yaml", "tables", "grid", "marxan"])
@settings(max_examples=int(os.environ.get("SCP_FUZZ_EXAMPLES", "12")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_random_damage_gives_a_clear_error_and_writes_nothing(fmt, seed):
    rng = random.Random(seed)
    folder = tempfile.mkdtemp(prefix="scp-damage-")
    try:
        argv, files = make_case(fmt, folder)
        target = rng.choice(files)
        if target.endswith(".nc"):
            damage_grid(target, rng)
        else:
            text = open(target, encoding="utf-8").read()
            open(target, "w", encoding="utf-8").write(damage_text(text, rng))
        out = os.path.join(folder, "res")
        before = sorted(os.listdir(folder))
        code, err = run_cli(argv + ["--out", out, "--quiet", "--time-limit", "60"])  # no traceback escapes main
        assert code in (0, 1, 2), err
        if code == 0:
            assert os.path.isfile(os.path.join(out, ".scp-results.json"))
        else:
            assert not os.path.exists(out) and sorted(os.listdir(folder)) == before
            assert "Traceback" not in err
            last = err.strip().splitlines()[-1]
            assert last.startswith(("error: ", "infeasible: ", "solver failure: ", "  - ")), err
        if code == 2:  # bad input: the message names the file
            assert any(os.path.basename(f) in err for f in files), err
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_validate_points_a_sweep_file_to_scplan_sweep(tmp_path):
    (tmp_path / "sw.yaml").write_text("scenario: a.yaml\nname: x\nvary: {boundary.penalty: [0, 1]}\n")
    code, err = run_cli(["validate", str(tmp_path / "sw.yaml")])
    assert code == 2 and "is a sweep file" in err and "scplan sweep" in err
