"""Never lose a user's files: unsafe output paths, --overwrite, concurrent runs, links, kills,
read-only targets, and inputs that could hang the tool. Each test names the item of the fault
list it covers (issue "Never lose a user's files")."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

from scenario_fixtures import base_document, write_scenario
from scp.app.cli import main
from scp.app.outputs import MARKER, OutputError, OutputExists, ResultsFolder, atomic_write, remove_stale_temporaries

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def small_doc(**over) -> dict:
    doc = base_document()
    doc.pop("boundary")
    doc.update(over)
    return doc


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A working directory with a user file in it, and a small scenario."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "precious.txt").write_text("user's file")
    write_scenario(str(tmp_path), small_doc(), "s.yaml")
    return tmp_path


# 1. a name of '..' or '.' must not make the working directory the results folder
@pytest.mark.parametrize("name", ["..", ".", " .. "])
def test_dot_names_are_refused_before_anything_runs(workdir, capsys, name):
    p = write_scenario(str(workdir), small_doc(name=name), "dots.yaml")
    assert main(["run", p, "--overwrite", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "name" in err and "Traceback" not in err
    assert (workdir / "precious.txt").read_text() == "user's file"


def test_output_that_is_the_working_directory_or_a_parent_is_refused(workdir, capsys):
    for out in (".", "..", str(workdir), os.path.dirname(str(workdir))):
        assert main(["run", "s.yaml", "--out", out, "--overwrite", "--quiet"]) == 2
        assert "working directory" in capsys.readouterr().err
    assert (workdir / "precious.txt").exists()


# 2. --overwrite replaces only scp's own results folders, never inputs or other folders
def test_overwrite_refuses_a_folder_scp_did_not_write(workdir, capsys):
    victim = workdir / "victim"
    victim.mkdir()
    (victim / "notes.txt").write_text("keep me")
    p = write_scenario(str(workdir), small_doc(outputs={"dir": "victim"}), "v.yaml")
    assert main(["run", p, "--overwrite", "--quiet"]) == 2
    assert "not a results folder written by scp" in capsys.readouterr().err
    assert (victim / "notes.txt").read_text() == "keep me"


def test_overwrite_refuses_an_input_file(workdir, capsys):
    before = (workdir / "s.yaml").read_bytes()
    for out in ("s.yaml", "data/land.nc", "data"):
        assert main(["run", "s.yaml", "--out", out, "--overwrite", "--quiet"]) == 2
        assert capsys.readouterr().err.startswith("error: ")
    assert (workdir / "s.yaml").read_bytes() == before and (workdir / "data" / "land.nc").is_file()


def test_overwrite_replaces_its_own_folder_and_keeps_a_users_backup(workdir):
    assert main(["run", "s.yaml", "--out", "res", "--quiet"]) == 0
    assert json.loads((workdir / "res" / MARKER).read_text())["scp_version"]
    (workdir / "res.old").mkdir()  # 5. a user's backup beside it
    (workdir / "res.old" / "mine.txt").write_text("backup")
    first = json.loads((workdir / "res" / MARKER).read_text())["run_id"]
    assert main(["run", "s.yaml", "--out", "res", "--quiet", "--overwrite"]) == 0
    assert json.loads((workdir / "res" / MARKER).read_text())["run_id"] != first
    assert (workdir / "res.old" / "mine.txt").read_text() == "backup"
    assert not [e for e in os.listdir(workdir) if ".scp-" in e]  # no temporaries left


def test_failing_sweep_keeps_the_previous_sweep_folder(workdir):
    from scp.app.sweep import load_sweep, run_sweep

    (workdir / "sweep.yaml").write_text(yaml.safe_dump({"scenario": "s.yaml", "name": "sw",
                                                        "vary": {"boundary.penalty": [0.0]}}))
    old = workdir / "results" / "sw"
    old.mkdir(parents=True)
    (old / MARKER).write_text("{}")
    (old / "sweep.csv").write_text("old results")

    class Boom(Exception):
        pass

    import scp.app.sweep as sweep_module

    def explode(*a, **k):
        raise Boom("cluster failed")

    orig = sweep_module._run_variants
    sweep_module._run_variants = explode
    try:
        with pytest.raises(Boom):
            run_sweep(load_sweep("sweep.yaml"), overwrite=True)
    finally:
        sweep_module._run_variants = orig
    assert (old / "sweep.csv").read_text() == "old results"


# 3. two runs into the same folder: the second never clobbers the first
def test_folder_that_appears_during_the_run_is_kept(tmp_path):
    target = tmp_path / "res"
    folder = ResultsFolder(str(target))
    with pytest.raises(OutputExists, match="appeared there during the run"):
        with folder as tmp:
            open(os.path.join(tmp, "a.txt"), "w").write("new")
            target.mkdir()  # another run finished first
            (target / "theirs.txt").write_text("other run")
    assert (target / "theirs.txt").read_text() == "other run"
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("res.")]
    assert len(kept) == 1 and (kept[0] / "a.txt").read_text() == "new"


def test_replacement_moves_the_old_folder_to_a_unique_name(tmp_path):
    target = tmp_path / "res"
    with ResultsFolder(str(target)) as tmp:
        open(os.path.join(tmp, "v.txt"), "w").write("1")
    (tmp_path / "res.old").write_text("a user's file named like a backup")
    with ResultsFolder(str(target), overwrite=True) as tmp:
        open(os.path.join(tmp, "v.txt"), "w").write("2")
    assert (target / "v.txt").read_text() == "2"
    assert (tmp_path / "res.old").read_text() == "a user's file named like a backup"


# 4. writes replace a planted link instead of writing through it
def test_report_replaces_a_planted_link(workdir):
    assert main(["run", "s.yaml", "--out", "res", "--quiet"]) == 0
    outside = workdir / "outside.txt"
    outside.write_text("not scp's")
    os.remove(workdir / "res" / "report.html")
    os.symlink(outside, workdir / "res" / "report.html")
    assert main(["report", "res"]) == 0
    assert outside.read_text() == "not scp's"
    assert not os.path.islink(workdir / "res" / "report.html")
    assert "<table>" in (workdir / "res" / "report.html").read_text()


def test_atomic_write_replaces_links(tmp_path):
    target, link = tmp_path / "t.txt", tmp_path / "l.txt"
    target.write_text("keep")
    os.symlink(target, link)
    atomic_write(str(link), "new")
    assert target.read_text() == "keep" and link.read_text() == "new" and not link.is_symlink()


# 6. SIGTERM stops a run promptly, cleans up, exits 143; stale temporaries are removed later
def _slow_scenario(folder) -> str:
    doc = small_doc()
    doc["boundary"] = {"penalty": 0.0005}
    doc["solver"] = {"name": "highs", "gap": 0.0}
    # large enough for HiGHS to take a while
    from scenario_fixtures import write_landscape

    write_landscape(str(folder), rows=70, cols=90)
    p = os.path.join(str(folder), "slow.yaml")
    with open(p, "w") as fh:
        yaml.safe_dump(doc, fh)
    return p


def test_sigterm_stops_the_run_and_leaves_nothing(tmp_path):
    p = _slow_scenario(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "scp.app.cli", "run", p, "--out", str(tmp_path / "res"), "--quiet"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(6.0)
    assert proc.poll() is None, "the run finished before it could be stopped: " + proc.communicate()[1][-500:]
    t0 = time.perf_counter()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err[-800:]
    assert time.perf_counter() - t0 < 10
    assert "terminated" in err and "Traceback" not in err
    assert sorted(os.listdir(tmp_path)) == ["data", "slow.yaml"]


def test_stale_temporaries_of_killed_runs_are_removed(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".res.scp-tmp-{dead.pid}-abcd1234"
    stale.mkdir()
    (stale / "half.csv").write_text("x")
    alive = tmp_path / f".res.scp-tmp-{os.getpid()}-abcd1234"
    alive.mkdir()
    other = tmp_path / ".res.something-else"
    other.mkdir()
    removed = remove_stale_temporaries(str(tmp_path / "res"))
    assert removed == [str(stale)] and alive.exists() and other.exists()
    # previous results moved aside by a run that died are put back
    old = tmp_path / f".res.scp-old-{dead.pid}-abcd1234"
    old.mkdir()
    (old / MARKER).write_text("{}")
    remove_stale_temporaries(str(tmp_path / "res"))
    assert (tmp_path / "res" / MARKER).exists() and not old.exists()


# 7. an unwritable output location is found before any work, in one line, exit 2
@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere; see the injected-error test")
def test_read_only_output_location(workdir, capsys):
    ro = workdir / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    assert main(["run", "s.yaml", "--out", str(ro / "res"), "--quiet"]) == 2
    assert "cannot write results there" in capsys.readouterr().err


def test_output_errors_are_one_line_before_any_work(workdir, capsys, monkeypatch):
    import scp.app.outputs as outputs

    calls = []

    def failing_mkstemp(*a, **k):
        calls.append(1)
        raise OSError(28, "No space left on device")

    import scp.app.scenario.run as run_module

    monkeypatch.setattr(outputs.tempfile, "mkstemp", failing_mkstemp)
    monkeypatch.setattr(run_module, "load_data", lambda s: pytest.fail("data loaded before the output check"))
    assert main(["run", "s.yaml", "--out", "res", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and len(err.strip().splitlines()) == 1 and calls


def test_oserror_while_writing_is_one_line(workdir, capsys, monkeypatch):
    import scp.app.scenario.run as run_module

    def broken(*a, **k):
        raise OSError(5, "Input/output error", "solution.tif")

    monkeypatch.setattr(run_module, "write_gis", broken)
    assert main(["run", "s.yaml", "--out", "res", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "solution.tif: Input/output error" in err and "Traceback" not in err
    assert not (workdir / "res").exists() and not [e for e in os.listdir(workdir) if ".scp-" in e]


# 8. inputs that could hang the tool
@pytest.mark.parametrize("threads", [0, -3])
def test_bad_thread_counts_are_refused(workdir, capsys, threads):
    assert main(["run", "s.yaml", "--out", "res", "--quiet", "--threads", str(threads)]) == 2
    assert "solver.threads" in capsys.readouterr().err


def test_huge_thread_counts_are_capped(workdir, capsys):
    p = write_scenario(str(workdir), small_doc(solver={"name": "highs", "gap": 0.0, "threads": 100000}), "t.yaml")
    with pytest.warns(Warning, match="CPUs"):
        assert main(["run", p, "--out", "res", "--quiet"]) == 0


def test_oversized_scenario_file_is_refused_quickly(workdir, capsys):
    big = workdir / "big.yaml"
    with open(big, "w") as fh:
        fh.write("name: big\ndescription: |\n")
        line = "  " + "x" * 100 + "\n"
        fh.write(line * 20000)
    t0 = time.perf_counter()
    assert main(["validate", str(big)]) == 2
    assert time.perf_counter() - t0 < 2
    assert "MiB" in capsys.readouterr().err


def test_duplicate_yaml_keys_are_refused_with_both_lines(workdir, capsys):
    text = (workdir / "s.yaml").read_text() + "name: again\n"
    (workdir / "dup.yaml").write_text(text)
    assert main(["validate", "dup.yaml"]) == 2
    err = capsys.readouterr().err
    assert "duplicate key 'name' (first at line 1, again at line" in err


def test_a_folder_given_as_a_file_is_named_as_a_folder(workdir, capsys):
    assert main(["validate", "data"]) == 2
    assert "is a folder" in capsys.readouterr().err
    doc = small_doc()
    doc["data"]["grid"]["path"] = "data"
    p = write_scenario(str(workdir), doc, "d.yaml")
    assert main(["validate", p]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_unavailable_solver_is_bad_input(workdir, capsys):
    assert main(["run", "s.yaml", "--out", "res", "--quiet", "--solver", "gurobi"]) == 2
    assert "unknown solver 'gurobi'" in capsys.readouterr().err
    assert not (workdir / "res").exists()


# 10. malformed results folders for `scplan report`
@pytest.mark.parametrize("damage", ["not json", "[1, 2]", '{"scenario": 3, "coverage": "x"}'])
def test_report_on_a_malformed_summary(workdir, capsys, damage):
    assert main(["run", "s.yaml", "--out", "res", "--quiet"]) == 0
    (workdir / "res" / "summary.json").write_text(damage)
    assert main(["report", "res"]) == 2
    err = capsys.readouterr().err
    assert "summary.json" in err and "Traceback" not in err


def test_report_on_a_malformed_features_table(workdir, capsys):
    assert main(["run", "s.yaml", "--out", "res", "--quiet"]) == 0
    (workdir / "res" / "features.csv").write_bytes(b"\xff\xfe\x00garbage")
    assert main(["report", "res"]) == 2
    assert "features.csv" in capsys.readouterr().err


def test_results_folder_checks_name_the_path(tmp_path):
    f = tmp_path / "file.txt"
    f.write_text("x")
    with pytest.raises(OutputError, match="not a results folder written by scp"):
        ResultsFolder(str(f), overwrite=True)
    with pytest.raises(OutputExists):
        ResultsFolder(str(f))
