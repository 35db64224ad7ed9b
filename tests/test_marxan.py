"""Marxan projects: reading (real and generated folders), the problem Marxan scores,
round trips, errors naming file and line, and the `scplan marxan` command."""

from __future__ import annotations

import json
import os
import stat
import sys

import numpy as np
import pandas as pd
import pytest

import scp
from bruteforce import brute_force
from scp.app.cli import main
from scp.data.io.marxan import read_marxan
from scp.app.marxan.write import boundary_parts, write_marxan_project

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "marxan", "prioritizr-example")
needs_shared = pytest.mark.skipif(not os.path.isdir(SHARED), reason="../shared/data/marxan is not present")


def make_folder(root, sep: dict | None = None, blm: float = 1.0, extra: str = "") -> str:
    """A 3x3 grid Marxan project with 2 species; separators chosen per file."""
    sep = sep or {}
    os.makedirs(os.path.join(root, "in"), exist_ok=True)
    pu = pd.DataFrame({"id": np.arange(1, 10), "cost": [3, 1, 4, 1, 5, 9, 2, 6, 5], "status": [0, 0, 2, 0, 0, 0, 3, 0, 1],
                       "xloc": np.tile([0.0, 1.0, 2.0], 3), "yloc": np.repeat([2.0, 1.0, 0.0], 3)})
    spec = pd.DataFrame({"id": [1, 2], "prop": [0.5, 0.0], "target": [0, 6], "spf": [10, 10], "name": ["markhor", "urial"]})
    rij = pd.DataFrame({"species": [1, 1, 1, 1, 2, 2, 2, 2], "pu": [1, 3, 5, 8, 2, 4, 6, 9], "amount": [2, 1, 3, 2, 3, 2, 4, 1.5]})
    B = scp.boundary.grid_boundary(np.ones((3, 3), bool)).tocoo()
    keep = B.row <= B.col
    bound = pd.DataFrame({"id1": B.row[keep] + 1, "id2": B.col[keep] + 1, "boundary": B.data[keep]})
    for name, df in (("pu.dat", pu), ("spec.dat", spec), ("puvspr.dat", rij), ("bound.dat", bound)):
        s = sep.get(name, ",")
        if s == " ":
            text = df.to_string(index=False)
            with open(os.path.join(root, "in", name), "w") as fh:
                fh.write("\n".join(line.strip() for line in text.splitlines()) + "\n")
        else:
            df.to_csv(os.path.join(root, "in", name), sep=s, index=False)
    with open(os.path.join(root, "input.dat"), "w") as fh:
        fh.write(f"Marxan test project\n\nBLM {blm}\nINPUTDIR in\nPUNAME pu.dat\nSPECNAME spec.dat\n"
                 f"PUVSPRNAME puvspr.dat\nBOUNDNAME bound.dat\nSCENNAME output\nMISSLEVEL 1\n{extra}")
    return str(root)


def by_hand() -> scp.Problem:
    amounts = np.zeros((2, 9))
    amounts[0, [0, 2, 4, 7]] = [2, 1, 3, 2]
    amounts[1, [1, 3, 5, 8]] = [3, 2, 4, 1.5]
    data = scp.PlanningData.from_arrays(cost=[3, 1, 4, 1, 5, 9, 2, 6, 5], features=amounts,
                                        feature_names=["markhor", "urial"], ids=np.arange(1, 10),
                                        status=[0, 0, 1, 0, 0, 0, 2, 0, 0],
                                        boundary=scp.boundary.grid_boundary(np.ones((3, 3), bool)))
    return scp.Problem(data).min_set().absolute_targets({"markhor": 4.0, "urial": 6.0}).boundary_penalty(1.0)


@pytest.mark.parametrize("seps", [{}, {"bound.dat": "\t"}, {"pu.dat": "\t", "spec.dat": " ", "puvspr.dat": " "}])
def test_folder_reads_as_the_hand_built_problem(tmp_path, seps):
    project = read_marxan(make_folder(tmp_path, seps))
    assert project.blm == 1.0 and project.data.features == ("markhor", "urial")
    np.testing.assert_allclose(project.targets, [4.0, 6.0])  # prop 0.5 of 8, absolute 6
    assert any("status 1" in n for n in project.notes)
    assert scp.compile_problem(scp.marxan_problem(project)).digest() == scp.compile_problem(by_hand()).digest()
    sol = scp.marxan_problem(project).solve()
    best, _ = brute_force(by_hand())
    assert sol.objective == pytest.approx(best)
    assert sol.evaluation.feasible


def test_round_trip_write_then_read(tmp_path):
    p = by_hand()
    write_marxan_project(p, str(tmp_path / "proj"))
    back = read_marxan(str(tmp_path / "proj"))
    assert scp.compile_problem(scp.marxan_problem(back)).digest() == scp.compile_problem(p).digest()
    np.testing.assert_array_equal(back.data.ids, p.data.ids)
    assert (back.data.boundary != p.data.boundary).nnz == 0


def test_boundary_counted_as_marxan_does(tmp_path):
    """Score from the bound.dat rows directly (one pass over the listed pairs) equals scp's."""
    project = read_marxan(make_folder(tmp_path))
    bound = pd.read_csv(os.path.join(tmp_path, "in", "bound.dat"))
    rng = np.random.default_rng(0)
    for _ in range(20):
        sel = rng.random(9) < 0.5
        chosen = set((np.flatnonzero(sel) + 1).tolist())
        expected = 0.0
        for a, b, length in bound.itertuples(index=False):
            if a == b:
                expected += length if a in chosen else 0.0
            elif (a in chosen) != (b in chosen):
                expected += length
        ev = scp.evaluate(scp.marxan_problem(project), sel)
        assert ev.boundary_length == pytest.approx(expected)
        parts = boundary_parts(project.data.boundary, sel)
        assert parts["connectivity"] == pytest.approx(expected) == parts["edge"]  # Marxan's Connectivity_Edge
        inside = sum(length for a, b, length in bound.itertuples(index=False)
                     if a != b and a in chosen and b in chosen)
        assert parts["in"] == pytest.approx(inside)
        # as in Marxan's output_sum.csv: In + Edge + Out = Total
        assert parts["in"] + parts["edge"] + parts["out"] == pytest.approx(parts["total"])
        assert parts["total"] == pytest.approx(bound["boundary"].sum()) and parts["out"] >= -1e-9


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda r: os.remove(os.path.join(r, "in", "spec.dat")), "spec.dat: file not found"),
        (lambda r: open(os.path.join(r, "in", "puvspr.dat"), "a").write("1,42,1.0\n"),
         "puvspr.dat, line 10: planning unit id 42 is not defined"),
        (lambda r: open(os.path.join(r, "in", "puvspr.dat"), "a").write("7,1,1.0\n"),
         "puvspr.dat, line 10: species id 7 is not defined"),
        (lambda r: open(os.path.join(r, "in", "puvspr.dat"), "a").write("1,1,5\n"),
         "puvspr.dat, line 10: duplicate row (species=1, pu=1)"),
        (lambda r: open(os.path.join(r, "in", "pu.dat"), "a").write("10,abc,0,0,0\n"),
         "pu.dat, line 11: column 'cost' has 'abc', which is not a number"),
        (lambda r: open(os.path.join(r, "in", "pu.dat"), "a").write("10,1,7,0,0\n"), "pu.dat, line 11: status 7"),
        (lambda r: open(os.path.join(r, "in", "bound.dat"), "a").write("2,1,-1.0\n"),
         "bound.dat, line 22: negative boundary -1"),
    ],
)
def test_bad_files_name_file_and_line(tmp_path, edit, message):
    root = make_folder(tmp_path)
    edit(root)
    with pytest.raises(scp.DataError) as err:
        read_marxan(root)
    assert message in str(err.value)


def test_missing_input_dat(tmp_path):
    with pytest.raises(scp.DataError, match="input.dat"):
        read_marxan(str(tmp_path))


def test_cli_marxan_writes_consistent_outputs(tmp_path, capsys):
    root = make_folder(tmp_path / "proj")
    out = tmp_path / "res"
    assert main(["marxan", root, "--out", str(out), "--quiet"]) == 0
    for name in ("output_best.csv", "output_mvbest.csv", "output_sum.csv", "summary.json", "map.png",
                 "report.md", "report.html", "comparison.csv"):
        assert (out / name).is_file(), name
    best = pd.read_csv(out / "output_best.csv")
    sel = best["solution"].to_numpy().astype(bool)
    ev = scp.evaluate(by_hand(), sel)
    summary = json.loads((out / "summary.json").read_text())
    s = pd.read_csv(out / "output_sum.csv").iloc[0]
    assert summary["cost"] == pytest.approx(ev.cost) == pytest.approx(s["Cost"])
    assert summary["boundary_length"] == pytest.approx(ev.boundary_length) == pytest.approx(s["Connectivity"])
    assert s["Score"] == pytest.approx(ev.objective) and s["Missing_Values"] == 0 and ev.feasible
    assert summary["status"] == "optimal" and summary["gap"] == 0.0
    mv = pd.read_csv(out / "output_mvbest.csv")
    assert list(mv["Target Met"]) == ["yes", "yes"]
    # an existing folder is refused without --overwrite (bad input: exit 2), replaced with it
    assert main(["marxan", root, "--out", str(out), "--quiet"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["marxan", root, "--out", str(out), "--quiet", "--overwrite", "--solver", "cbc"]) == 0


def test_cli_exit_codes(tmp_path, capsys):
    root = make_folder(tmp_path / "proj")
    # a target above what is available: infeasible -> exit 1, nothing written
    spec = os.path.join(root, "in", "spec.dat")
    pd.DataFrame({"id": [1, 2], "prop": [0, 0], "target": [100, 1], "name": ["markhor", "urial"]}).to_csv(spec, index=False)
    assert main(["marxan", root, "--out", str(tmp_path / "r1"), "--quiet"]) == 1
    assert "markhor" in capsys.readouterr().err and not (tmp_path / "r1").exists()
    assert main(["marxan", str(tmp_path / "nowhere"), "--out", str(tmp_path / "r2")]) == 2
    assert main(["marxan", root, "--solver", "nonsense", "--out", str(tmp_path / "r3")]) == 1


def test_side_by_side_with_a_marxan_executable(tmp_path, monkeypatch, capsys):
    """A stand-in executable that behaves like Marxan (writes output/output_best.csv)."""
    root = make_folder(tmp_path / "proj", extra="OUTPUTDIR output\n")
    fake = tmp_path / "fake_marxan"
    fake.write_text(f"#!{sys.executable}\nimport os\nos.makedirs('output', exist_ok=True)\n"
                    "open('output/output_best.csv','w').write('planning_unit,solution\\n' + "
                    "''.join(f'{i},1\\n' for i in range(1, 10) if i != 7))\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("MARXAN_BIN", str(fake))
    out = tmp_path / "res"
    assert main(["marxan", root, "--out", str(out), "--quiet"]) == 0
    table = pd.read_csv(out / "comparison.csv")
    assert list(table["tool"]) == ["scp (highs)", "Marxan"]
    everything_but_7 = np.array([1, 1, 1, 1, 1, 1, 0, 1, 1], bool)
    ev = scp.evaluate(by_hand(), everything_but_7)
    assert table["cost"][1] == pytest.approx(ev.cost) and table["score"][1] == pytest.approx(ev.objective)
    assert table["score"][0] <= table["score"][1]
    printed = capsys.readouterr().out
    assert "0.000%" in printed  # the proven gap as a percentage (it printed 0.00 for 0.12% before)
    assert 0 < table["time_s"][0] < 60  # the solve's wall time, as Marxan's


@needs_shared
def test_prioritizr_example_reads_as_documented():
    project = read_marxan(SHARED)
    d = project.data
    assert (d.n_pu, d.n_features) == (1751, 17)
    assert int((d.status == scp.LOCKED_IN).sum()) == 317 and int((d.status == scp.LOCKED_OUT).sum()) == 1
    assert project.blm == 1.0 and project.params["NUMREPS"] == "10"


@needs_shared
@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_prioritizr_example_known_optimum_without_boundary(solver):
    # known optimum 95,722,060.31 (shared/REFERENCES.md)
    sol = scp.marxan_problem(read_marxan(SHARED), blm=0).solve(solver)
    assert sol.status is scp.Status.OPTIMAL and sol.evaluation.feasible
    assert sol.cost == pytest.approx(95_722_060.31, abs=0.01)


@needs_shared
def test_prioritizr_example_with_blm_within_gap_of_known_optimum():
    # known optimum with BLM 1: 99,865,961.67; a 0.1% gap solve must land within 0.1% above it
    sol = scp.marxan_problem(read_marxan(SHARED)).solve(gap=0.001)
    assert sol.evaluation.feasible
    assert 99_865_961.67 - 0.01 <= sol.objective <= 99_865_961.67 * 1.001
    assert sol.bound <= 99_865_961.67 + 0.01


def test_sporder_file_is_read_when_only_it_is_named(tmp_path):
    root = make_folder(tmp_path)
    os.rename(os.path.join(root, "in", "puvspr.dat"), os.path.join(root, "in", "puvspr_sporder.dat"))
    text = open(os.path.join(root, "input.dat")).read().replace("PUVSPRNAME puvspr.dat", "MATRIXSPORDERNAME puvspr_sporder.dat")
    open(os.path.join(root, "input.dat"), "w").write(text)
    assert scp.compile_problem(scp.marxan_problem(read_marxan(root))).digest() == scp.compile_problem(by_hand()).digest()


def test_scenario_can_point_at_a_marxan_folder(tmp_path):
    import yaml

    from scp.app.scenario.build import build_problem, load_data
    from scp.app.scenario.load import load_scenario

    make_folder(tmp_path / "proj")
    (tmp_path / "s.yaml").write_text(yaml.safe_dump({"name": "mx", "data": {"marxan": "proj"}}))
    loaded = load_scenario(str(tmp_path / "s.yaml"))
    data, project = load_data(loaded.scenario)
    p = build_problem(loaded.scenario, data, project)  # targets and BLM from the Marxan files
    assert scp.compile_problem(p).digest() == scp.compile_problem(by_hand()).digest()
    assert p.solve().objective == pytest.approx(brute_force(by_hand())[0])


def test_bound_file_read_as_marxan_reads_it(tmp_path):
    """Columns by position whatever the header says; a pair repeated in either order keeps its first
    value; repeated self rows add up. The score equals Marxan's rule applied to the deduplicated rows."""
    root = make_folder(tmp_path)
    path = os.path.join(root, "in", "bound.dat")
    b = pd.read_csv(path)
    first_pairs = b[b["id1"] != b["id2"]]
    reversed_rows = first_pairs.rename(columns={"id1": "id2", "id2": "id1"})[["id1", "id2", "boundary"]].copy()
    reversed_rows["boundary"] = 99.0  # ignored: the pair was listed first with its own value
    extra_self = pd.DataFrame({"id1": [5], "id2": [5], "boundary": [0.5]})  # adds to unit 5's own edge
    both = pd.concat([b, reversed_rows, extra_self], ignore_index=True)
    both.columns = ["id1", "id2", "amount"]
    both.to_csv(path, sep="\t", index=False)
    project = read_marxan(root)
    assert any("listed again" in n and str(len(first_pairs)) in n for n in project.notes)
    expected = scp.boundary.grid_boundary(np.ones((3, 3), bool)).toarray()
    expected[4, 4] += 0.5
    np.testing.assert_allclose(project.data.boundary.toarray(), expected)
    sel = np.zeros(9, bool)
    sel[[0, 1, 4]] = True
    # Marxan's boundary of a selection: self rows of selected units + pairs with one end selected
    own = expected.diagonal()[sel].sum()
    cut = sum(expected[a, c] for a in range(9) for c in range(9) if a != c and sel[a] and not sel[c])
    assert scp.data.boundary.boundary_length(project.data.boundary, sel) == pytest.approx(own + cut)


@pytest.mark.skipif(not os.path.isdir(SHARED), reason="needs ../shared")
def test_the_console_command_exits_with_its_code_and_every_line_written(tmp_path):
    """``python -m scp.app.cli`` ends through the quick exit of ``entry``: the exit code and every
    line printed survive it, and the results folder is complete."""
    import subprocess

    root = os.path.join(os.path.dirname(__file__), "..")
    proc = subprocess.run([sys.executable, "-m", "scp.app.cli", "marxan", SHARED, "--blm", "0", "--out",
                           str(tmp_path / "res"), "--time-limit", "20", "--quiet"], cwd=root,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-800:]
    assert proc.stdout.rstrip().splitlines()[-1].startswith("report:") and "done in" in proc.stderr
    summary = json.loads((tmp_path / "res" / "summary.json").read_text())
    assert summary["status"] == "optimal" and summary["objective"] == pytest.approx(95_722_060.31, abs=0.01)
    bad = subprocess.run([sys.executable, "-m", "scp.app.cli", "marxan", str(tmp_path / "missing")], cwd=root,
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.startswith("error:")
