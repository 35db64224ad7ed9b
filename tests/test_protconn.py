"""ECA and ProtConn against hand-computed values on small landscapes."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

import scp
from scp.results.protconn import protconn


def strip(n: int, jur=None) -> scp.PlanningData:
    """A 1 x n strip of unit cells (area 1 each)."""
    ds = xr.Dataset({"cost": (("y", "x"), np.ones((1, n))), "f": (("y", "x"), np.ones((1, n)))},
                    coords={"y": [0.0], "x": np.arange(n) + 0.5})
    if jur is not None:
        ds["j"] = (("y", "x"), np.array([jur]))
    return scp.PlanningData.from_xarray(ds, features=["f"], jurisdiction="j" if jur is not None else None)


def sel(n, units):
    s = np.zeros(n, bool)
    s[list(units)] = True
    return s


def test_two_patches_by_hand():
    # patches {0,1} (area 2) and {5} (area 1), 3 cells apart edge to edge; m = 3 -> p = 0.5
    r = protconn(strip(10), sel(10, [0, 1, 5]), 3.0)
    total = 2 * 2 + 1 * 1 + 2 * (2 * 1 * 0.5)  # = 7
    assert r.eca == pytest.approx(math.sqrt(total))
    assert r.protconn == pytest.approx(100 * math.sqrt(7) / 10) and r.prot == pytest.approx(30.0)
    assert r.protunconn == pytest.approx(30.0 - 100 * math.sqrt(7) / 10)
    assert r.parts["within"] == pytest.approx(r.protconn * 5 / 7)
    assert r.parts["unprot"] == pytest.approx(r.protconn * 2 / 7) and r.parts["contig"] == 0
    assert r.n_nodes == 2


def test_stepping_stone_beats_the_direct_link():
    # {0}, {4}, {8}: neighbours 3 apart (p = 0.5), ends 7 apart (direct 0.5^(7/3) < 0.25 via the middle)
    r = protconn(strip(9), sel(9, [0, 4, 8]), 3.0)
    total = 3 + 2 * (0.5 + 0.5 + 0.25)
    assert r.eca == pytest.approx(math.sqrt(total))


def test_one_patch_is_fully_connected_and_empty_selection_is_zero():
    r = protconn(strip(6), sel(6, [1, 2, 3]), 1.0)
    assert r.protconn == pytest.approx(r.prot) == pytest.approx(50.0) and r.protunconn == pytest.approx(0)
    z = protconn(strip(6), np.zeros(6, bool), 1.0)
    assert z.protconn == 0 and z.eca == 0 and z.n_nodes == 0


def test_transboundary_patch_is_split_and_contiguous():
    # T = cells 0-4, U = 5-9; select {0}, {4,5} (crosses the border), {9}
    jur = ["T"] * 5 + ["U"] * 5
    r = protconn(strip(10, jur), sel(10, [0, 4, 5, 9]), 3.0)
    pairs = {"ab": 0.5, "ac": 0.5, "ad": 0.25, "bc": 1.0, "bd": 0.5, "cd": 0.5}
    total = 4 + 2 * sum(pairs.values())  # 10.5
    assert r.n_nodes == 4 and r.eca == pytest.approx(math.sqrt(total))
    assert r.parts["contig"] == pytest.approx(r.protconn * 2 / total)
    assert r.parts["within"] == pytest.approx(r.protconn * 4 / total)
    assert sum(r.parts.values()) == pytest.approx(r.protconn)
    t = r.by_jurisdiction["T"]
    assert t["prot"] == pytest.approx(40.0) and t["protconn"] == pytest.approx(100 * math.sqrt(3) / 5)


def test_trans_part_is_what_foreign_stepping_stones_add():
    # T = cells 0-2 and 6-8, U = 3-5; T's units {0} and {8} are linked best through U's unit {4}
    jur = ["T"] * 3 + ["U"] * 3 + ["T"] * 3
    r = protconn(strip(9, jur), sel(9, [0, 4, 8]), 3.0)
    t = r.by_jurisdiction["T"]
    direct = 0.5 ** (7 / 3)
    assert t["protconn"] == pytest.approx(100 * math.sqrt(2 + 2 * 0.25) / 6)
    assert t["protconn_national"] == pytest.approx(100 * math.sqrt(2 + 2 * direct) / 6)
    assert t["protconn_trans"] == pytest.approx(t["protconn"] - t["protconn_national"]) and t["protconn_trans"] > 0
    u = r.by_jurisdiction["U"]
    assert u["protconn"] == pytest.approx(100 / 3) and u["protconn_trans"] == pytest.approx(0)


def test_bad_dispersal_distance():
    with pytest.raises(scp.ScenarioError, match="must be > 0"):
        protconn(strip(3), sel(3, [0]), 0.0)
