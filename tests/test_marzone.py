"""Marxan with Zones projects: reading, MarZone's score by hand, exact solves, writing and round trips."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import scp
from scp.app.marxan.zones_write import write_marzone_project
from scp.data.io.marzone import is_marzone, read_marzone
from scp.errors import DataError, ScenarioError
from scp.problem.marzone import marzone_allocation, marzone_offset, marzone_problem, scp_allocation
from scp.results.marzone import feature_penalties, marzone_score
from scp.results.zoned import evaluate_zoned
from scp.solving.zoned import solve_zoned

sys.path.insert(0, os.path.dirname(__file__))
from test_zones import grid_data, two_zones

TOY = {
    "zones.dat": "zoneid,zonename\n1,available\n2,reserve\n3,partial\n",
    "costs.dat": "costid,costname\n1,area\n2,opportunity\n",
    "pu.dat": "id,area,opportunity\n1,1,10\n2,1,20\n3,2,5\n",
    "zonecost.dat": "zoneid,costid,multiplier\n2,1,1\n2,2,1\n3,1,1\n3,2,0.5\n",
    "spec.dat": "id,prop,target,spf,name\n1,0,10,2,bird\n2,0.5,0,1,fish\n",
    "puvspr.dat": "species,pu,amount\n1,1,6\n1,2,8\n2,1,4\n2,3,4\n",
    "zonecontrib.dat": "zoneid,featureid,fraction\n2,1,1\n3,1,0.5\n2,2,1\n3,2,1\n",
    "zonetarget.dat": "zoneid,featureid,target,targettype\n2,1,5,0\n",
    "zoneboundcost.dat": "zoneid1,zoneid2,cost\n1,2,1\n1,3,0.5\n2,3,0.25\n2,2,0.1\n",
    # pair (1,2) listed again (ignored, as MarZone does); self rows of unit 3 add up
    "bound.dat": "id1\tid2\tboundary\n1\t2\t3\n2\t3\t2\n1\t1\t4\n2\t1\t7\n3\t3\t1\n3\t3\t1\n",
    "pulock.dat": "puid,zoneid\n3,3\n",
    "puzone.dat": "puid,zoneid\n1,1\n1,2\n",
}
INPUT = ["INPUTDIR input", "OUTPUTDIR output", "PUNAME pu.dat", "SPECNAME spec.dat", "PUVSPRNAME puvspr.dat",
         "BOUNDNAME bound.dat", "ZONESNAME zones.dat", "COSTSNAME costs.dat", "ZONECOSTNAME zonecost.dat",
         "ZONECONTRIBNAME zonecontrib.dat", "ZONETARGETNAME zonetarget.dat", "ZONEBOUNDCOSTNAME zoneboundcost.dat",
         "PULOCKNAME pulock.dat", "PUZONENAME puzone.dat", "SCENNAME output", "MISSLEVEL 1"]


def toy(tmp_path, **changes) -> str:
    files = {**TOY, **changes}
    folder = tmp_path / "toy"
    (folder / "input").mkdir(parents=True)
    for name, text in files.items():
        if text is not None:
            (folder / "input" / name).write_text(text)
    lines = [ln for ln in INPUT if not any(ln.endswith(" " + k) and files.get(k) is None for k in files)]
    (folder / "input.dat").write_text("\n".join(lines) + "\n")
    return str(folder)


def test_toy_is_read_as_marzone_reads_it(tmp_path):
    p = read_marzone(toy(tmp_path))
    assert is_marzone(p.folder)
    assert p.zones.names == ("available", "reserve", "partial")
    np.testing.assert_allclose(p.zones.cost, [[0, 11, 6], [0, 21, 11], [0, 7, 4.5]])
    np.testing.assert_allclose(p.targets, [10, 4])  # fish: prop 0.5 of 8
    np.testing.assert_allclose(p.zones.contribution, [[0, 1, 0.5], [0, 1, 1]])
    np.testing.assert_allclose(p.zone_targets, [[0, 5, 0], [0, 0, 0]])
    assert p.lock.tolist() == [-1, -1, 2]
    assert p.allowed.tolist() == [[True, True, False], [True] * 3, [True] * 3]
    B = p.data.boundary.toarray()
    assert B[0, 1] == 3 and B[1, 2] == 2 and B[0, 0] == 4 and B[2, 2] == 2  # first value kept; self rows add
    assert any("listed again" in n for n in p.notes)


@pytest.mark.parametrize("alloc, score, cost, connection, penalty, shortfall, missing, mpm", [
    # reserve, reserve, partial: every target met
    ((1, 1, 2), 43.3, 36.5, 6 + 3 * 0.1 + 2 * 0.25, 0.0, 0.0, 0, 1.0),
    # available, reserve, partial: bird holds 8 of 10 -> 0.2 x P_bird 32 x spf 2
    ((0, 1, 2), 47.8, 25.5, 6 + 3 * 1 + 2 * 0.25, 12.8, 2.0, 1, 0.8),
    # available, available, partial: bird 0 of 10 overall and 0 of 5 in the reserve -> (1 + 1) x 32 x 2
    ((0, 0, 2), 139.5, 4.5, 6 + 0 + 2 * 0.5, 128.0, 15.0, 1, 0.0),
])
def test_marzone_score_equals_a_hand_computation(tmp_path, alloc, score, cost, connection, penalty, shortfall,
                                                 missing, mpm):
    p = read_marzone(toy(tmp_path))
    s = marzone_score(p, np.array(alloc))
    assert (s.score, s.cost, s.connection, s.penalty, s.shortfall) == pytest.approx(
        (score, cost, connection, penalty, shortfall))
    assert s.missing == missing and s.mpm == pytest.approx(mpm)


def test_feature_penalties_follow_marzone_calc_penalties(tmp_path):
    """bird: no locked unit holds it; units by amount per summed cost: unit 1 (6/11), unit 2 (8/21)
    -> 11 + 21. fish: held by locked unit 3 (4 >= its target 4) at its dearest zone cost 7 plus its
    whole boundary 2 + 2."""
    p = read_marzone(toy(tmp_path))
    np.testing.assert_allclose(feature_penalties(p), [32.0, 11.0])


def _brute_force(p) -> tuple[float, tuple]:
    best, arg = np.inf, None
    for alloc in itertools.product(range(p.n_zones), repeat=p.data.n_pu):
        a = np.array(alloc)
        if (p.lock >= 0).any() and (a[p.lock >= 0] != p.lock[p.lock >= 0]).any():
            continue
        if not p.allowed[np.arange(a.size), a].all():
            continue
        s = marzone_score(p, a)
        if s.missing == 0 and s.score < best - 1e-9:
            best, arg = s.score, alloc
    return best, arg


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_exact_solve_equals_enumeration_of_marzone_scores(tmp_path, solver):
    p = read_marzone(toy(tmp_path))
    best, arg = _brute_force(p)
    assert best == pytest.approx(33.25) and arg == (1, 2, 2)  # reserve, partial, partial (by hand)
    sol = solve_zoned(marzone_problem(p), solver)
    assert sol.status is scp.Status.OPTIMAL
    assert sol.objective + marzone_offset(p) == pytest.approx(best)
    assert marzone_score(p, marzone_allocation(p, sol.allocation)).score == pytest.approx(best)


def test_scp_objective_plus_constant_is_marzone_score_without_penalty(tmp_path):
    """For any complete allocation, including one with inner zone boundary costs that differ."""
    p = read_marzone(toy(tmp_path))
    problem = marzone_problem(p)
    rng = np.random.default_rng(0)
    for _ in range(30):
        a = rng.integers(0, p.n_zones, p.data.n_pu)
        s = marzone_score(p, a)
        assert evaluate_zoned(problem, scp_allocation(p, a)).objective + marzone_offset(p) == pytest.approx(
            s.score - s.penalty)


def _problems():
    for seed in range(3):
        d = grid_data(seed)
        yield (scp.problem.zoned.ZonedProblem.of(d, two_zones(d)).relative_targets(0.3)
               .zone_targets_relative("strict", {"f0": 0.15}).locked_in([0], "strict").locked_out([7], "oecm")
               .boundary_penalty(0.7, edge_costs=[[1.0, 0.3], [0.3, 0.8]]))
    d = grid_data(7)
    yield (scp.problem.zoned.ZonedProblem.of(d, two_zones(d)).relative_targets(0.4).locked_in(np.ones(8, bool))
           .zone_targets_absolute("oecm", {"f1": 1.0}, raw=True).boundary_penalty(0.4))


@pytest.mark.parametrize("k", range(4))
def test_project_written_by_scp_reads_back_as_the_same_problem(tmp_path, k):
    problem = list(_problems())[k]
    write_marzone_project(problem, str(tmp_path / "p"))
    p = read_marzone(str(tmp_path / "p"))
    extra = int(p.zones.names[0] == "available")
    assert p.zones.names[extra:] == problem.zones.names and p.notes == []
    a = solve_zoned(problem)
    b = solve_zoned(marzone_problem(p))
    assert b.objective + marzone_offset(p) == pytest.approx(a.objective)
    assert marzone_score(p, a.allocation + extra).score == pytest.approx(a.objective)
    rng = np.random.default_rng(k)
    for _ in range(20):  # the same objective for any allocation
        alloc = rng.integers(-extra, problem.zones.n_zones, problem.data.n_pu)
        assert evaluate_zoned(marzone_problem(p), scp_allocation(p, alloc + extra)).objective + marzone_offset(p) == pytest.approx(
            evaluate_zoned(problem, alloc).objective)
    # and written again from what was read, the project is the same
    write_marzone_project(marzone_problem(p), str(tmp_path / "q"))
    for name in ("zones.dat", "zonecontrib.dat", "zonetarget.dat", "zoneboundcost.dat", "pulock.dat", "puzone.dat",
                 "spec.dat", "puvspr.dat", "bound.dat"):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "p" / "input" / name),
                                      pd.read_csv(tmp_path / "q" / "input" / name), check_dtype=False)


def test_writer_refuses_what_marzone_cannot_express(tmp_path):
    d = grid_data(1)
    base = scp.problem.zoned.ZonedProblem.of(d, two_zones(d)).relative_targets(0.3)
    with pytest.raises(ScenarioError, match="coverage"):
        write_marzone_project(base.coverage(0.3), str(tmp_path / "a"))
    with pytest.raises(ScenarioError, match="budget"):
        write_marzone_project(base.budget(100.0), str(tmp_path / "b"))
    with pytest.raises(ScenarioError, match="several zones"):
        write_marzone_project(base.zone_targets_relative(["strict", "oecm"], 0.1), str(tmp_path / "c"))


@pytest.mark.parametrize("changes, message", [
    ({"puzone.dat": "puid,zoneid\n1,2\n"}, "single zone"),
    ({"zonetarget.dat": "zoneid,featureid,target,targettype\n2,1,2,2\n"}, "occurrence"),
    ({"zonecontrib.dat": "zoneid,featureid,fraction\n2,1,-1\n"}, "negative contribution"),
    ({"spec.dat": "id,target,spf,name,targetocc\n1,10,2,bird,3\n2,4,1,fish,0\n"}, "targetocc"),
    ({"zoneboundcost.dat": "zoneid1,zoneid2,cost\n1,2,0.1\n2,2,1\n"}, "mean of the two zones"),
])
def test_unsupported_input_gets_a_clear_error(tmp_path, changes, message):
    with pytest.raises(DataError, match=message):
        marzone_problem(read_marzone(toy(tmp_path, **changes)))


def test_unknown_ids_are_skipped_with_a_note(tmp_path):
    p = read_marzone(toy(tmp_path, **{"pulock.dat": "puid,zoneid\n3,3\n3,9\n44,2\n"}))
    assert p.lock.tolist() == [-1, -1, 2]
    assert sum("name an unknown" in n for n in p.notes) == 2


def test_without_contribution_and_boundary_cost_files_marzone_defaults_apply(tmp_path):
    p = read_marzone(toy(tmp_path, **{"zonecontrib.dat": None, "zoneboundcost.dat": None, "zonecost.dat": None}))
    np.testing.assert_allclose(p.zones.contribution, [[0, 1, 1], [0, 1, 1]])  # the first zone counts nothing
    np.testing.assert_allclose(p.zone_bound, np.ones((3, 3)))
    np.testing.assert_allclose(p.zones.cost, [[11, 11, 11], [21, 21, 21], [7, 7, 7]])
    s = marzone_score(p, np.array([1, 1, 2]))
    assert s.connection == pytest.approx(6 + 3 + 2)  # every pair weighs 1 whatever the zones
    sol = solve_zoned(marzone_problem(p))
    assert sol.objective + marzone_offset(p) == pytest.approx(_brute_force(p)[0])


def test_scplan_marxan_solves_a_zones_project_and_writes_zone_ids(tmp_path):
    folder = toy(tmp_path)
    out = tmp_path / "res"
    r = subprocess.run([sys.executable, "-m", "scp.app.cli", "marxan", folder, "--out", str(out), "--quiet"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "MarZone score 33.25" in r.stdout
    best = pd.read_csv(out / "output_best.csv")
    assert best["zone"].tolist() == [2, 3, 3]
    summ = pd.read_csv(out / "output_sum.csv")
    assert summ["Score"].iloc[0] == pytest.approx(33.25) and summ["reserve PuCount"].iloc[0] == 1
    mv = pd.read_csv(out / "output_mvbest.csv")
    assert mv["Target Met"].tolist() == ["yes", "yes"] and mv["Amount Held reserve"].iloc[0] == 6
    assert os.path.isfile(out / "report.html") and os.path.isfile(out / "summary.json")
    assert sorted(os.listdir(os.path.join(folder, "input"))) == sorted(TOY)  # the project is untouched


def test_first_zone_as_no_zone_gives_the_same_optimum_and_scores(tmp_path):
    """The toy's available zone (no contribution, no cost) becomes scp's "no zone"; with a
    contribution it cannot, and every unit is then in one of three scp zones: same MarZone optimum."""
    p = read_marzone(toy(tmp_path))
    q = marzone_problem(p)
    assert q.zones.names == ("reserve", "partial")
    contrib = TOY["zonecontrib.dat"] + "1,2,0.1\n"  # the available zone counts a little for fish
    p2 = read_marzone(toy(tmp_path / "b", **{"zonecontrib.dat": contrib}))
    q2 = marzone_problem(p2)
    assert q2.zones.names == ("available", "reserve", "partial")
    for pp, qq in ((p, q), (p2, q2)):
        sol = solve_zoned(qq)
        best, _ = _brute_force(pp)
        assert marzone_score(pp, marzone_allocation(pp, sol.allocation)).score == pytest.approx(best)
        assert sol.objective + marzone_offset(pp) == pytest.approx(best)


def test_writers_refuse_a_folder_that_already_holds_a_project(tmp_path):
    from scp.app.marxan.write import write_marxan_project
    from scp.app.outputs import OutputError

    d = grid_data(2)
    zp = scp.problem.zoned.ZonedProblem.of(d, two_zones(d)).relative_targets(0.3)
    write_marzone_project(zp, str(tmp_path / "p"))
    before = (tmp_path / "p" / "input" / "pu.dat").read_bytes()
    with pytest.raises(OutputError, match="already holds"):
        write_marzone_project(zp, str(tmp_path / "p"))
    with pytest.raises(OutputError, match="already holds"):
        write_marxan_project(scp.Problem(d).relative_targets(0.3), str(tmp_path / "p"))
    assert (tmp_path / "p" / "input" / "pu.dat").read_bytes() == before  # nothing overwritten
