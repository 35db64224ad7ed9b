"""PlanningData constructors and their validation errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import scp
from scp import DataError


def test_from_arrays_defaults():
    d = scp.PlanningData.from_arrays(cost=[1, 2], features={"a": [0, 1]})
    assert d.n_pu == 2 and d.features == ("a",)
    np.testing.assert_array_equal(d.ids, [0, 1])
    np.testing.assert_array_equal(d.area, [1, 1])
    np.testing.assert_array_equal(d.status, [0, 0])
    np.testing.assert_array_equal(d.feature_totals, [1])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(cost=[1, 2], features={"a": [1, 2, 3]}), "feature 'a': expected 2 values"),
        (dict(cost=[1, np.nan], features={"a": [1, 2]}, ids=["p", "q"]), "cost: 1 planning unit(s) have NaN"),
        (dict(cost=[1, -2], features={"a": [1, 2]}, ids=[7, 8]), "PU ids 8"),
        (dict(cost=[1, 2], features={"a": [1, np.nan]}), "feature 'a': 1 planning unit(s) have NaN"),
        (dict(cost=[1, 2], features={"a": [1, -1]}), "feature 'a': 1 planning unit(s) have negative"),
        (dict(cost=[1, 2], features={"a": [1, 1]}, ids=[3, 3]), "duplicate PU ids 3"),
        (dict(cost=[1, 2], features={"a": [1, 1]}, ids=[1, 2, 3]), "ids: expected 2 PU ids"),
        (dict(cost=[1, 2], features={"a": [1, 1]}, status=[0, 5]), "status: values must be 0"),
        (dict(cost=[1, 2], features={"a": [1, 1]}, locked_in=[True, False], locked_out=[True, False]), "overlap"),
        (dict(cost=[1, 2], features={"a": [1, 1]}, boundary=np.eye(3)), "boundary: expected a (2 x 2)"),
        (dict(cost=[1, 2], features={"a": [1, 1]}, boundary=[[0, 1], [2, 0]]), "must be symmetric"),
        (dict(cost=[1, 2], features={"a": [1, 1]}, jurisdiction=["A"]), "jurisdiction: expected 2"),
        (dict(cost=[1, 2], features={"a": [1, 1]}, jurisdiction=["A", None]), "no jurisdiction label"),
        (dict(cost=[], features={}), "no planning units"),
        (dict(cost=[[1, 2]], features={}), "expected a 1-D array"),
        (dict(cost=[1, 2], features=np.ones((2, 2)), feature_names=["a"]), "expected a (1 features x 2 PUs)"),
    ],
)
def test_bad_arrays_are_named(kwargs, message):
    with pytest.raises(DataError) as err:
        scp.PlanningData.from_arrays(**kwargs)
    assert message in str(err.value)


def test_unknown_feature_suggests():
    d = scp.PlanningData.from_arrays(cost=[1], features={"markhor": [1]})
    with pytest.raises(DataError, match="did you mean 'markhor'"):
        d.feature_index("markhr")
    with pytest.raises(scp.ScenarioError, match="targets.markhr"):
        scp.Problem(d).relative_targets({"markhr": 0.3})


def grid_dataset():
    y = np.array([30.0, 20.0, 10.0])
    x = np.array([0.0, 10.0, 20.0, 30.0])
    cost = np.arange(12, dtype=float).reshape(3, 4) + 1
    cost[0, 0] = np.nan  # not a planning unit
    sp_a = np.zeros((3, 4))
    sp_a[1, 1:3] = 5
    jur = np.array([["A", "A", "B", "B"]] * 3)
    return xr.Dataset({"cost": (("y", "x"), cost), "a": (("y", "x"), sp_a),
                       "country": (("y", "x"), jur), "pa": (("y", "x"), np.eye(3, 4))},
                      coords={"y": y, "x": x})


def test_from_xarray_excludes_nan_cost_and_maps_back():
    d = scp.PlanningData.from_xarray(grid_dataset(), features=["a"], jurisdiction="country", locked_in="pa")
    assert d.n_pu == 11 and d.features == ("a",)
    np.testing.assert_array_equal(d.area, 100.0)
    assert d.jurisdictions == ("A", "B")
    # pa is the identity pattern; cell (0,0) is not a PU, so cells (1,1) and (2,2) are locked in
    assert d.status.sum() == 2
    # boundary: 10 m cells, the missing corner exposes two edges of its neighbours
    assert d.boundary.shape == (11, 11)
    grid = d.to_grid(np.arange(11))
    assert grid.dims == ("y", "x") and np.isnan(grid.values[0, 0])
    np.testing.assert_array_equal(grid.values.ravel()[1:], np.arange(11))
    np.testing.assert_array_equal(grid["x"].values, [0, 10, 20, 30])


def test_from_xarray_errors():
    ds = grid_dataset()
    with pytest.raises(DataError, match="cost layer 'price' not found"):
        scp.PlanningData.from_xarray(ds, cost="price")
    ds2 = ds.copy()
    ds2["a"] = ds2["a"].where(ds2["a"] > 0)
    with pytest.raises(DataError, match=r"feature layer 'a'.*fillna\(0\)"):
        scp.PlanningData.from_xarray(ds2, features=["a"])


def test_solution_to_xarray_round_trip():
    d = scp.PlanningData.from_xarray(grid_dataset(), features=["a"])
    sol = scp.Problem(d).relative_targets(1.0).solve()
    grid = sol.to_xarray()
    assert grid.sel(y=20.0, x=10.0).item() == 1 and grid.sel(y=20.0, x=20.0).item() == 1
    assert np.nansum(grid.values) == 2 and np.isnan(grid.values[0, 0])


def test_from_tables():
    pu = pd.DataFrame({"id": [5, 3, 9], "cost": [1.0, 2.0, 3.0], "status": [0, 1, 0]})
    rij = pd.DataFrame({"pu": [3, 9, 9], "feature": ["b", "a", "b"], "amount": [1.0, 2.0, 4.0]})
    bnd = pd.DataFrame({"id1": [5, 3, 9], "id2": [3, 9, 9], "boundary": [1.0, 2.0, 0.5]})
    d = scp.PlanningData.from_tables(pu, rij, bnd)
    assert d.features == ("b", "a")
    np.testing.assert_array_equal(d.rij.toarray(), [[0, 1, 4], [0, 0, 2]])
    np.testing.assert_array_equal(d.boundary.toarray(), [[0, 1, 0], [1, 0, 2], [0, 2, 0.5]])
    with pytest.raises(DataError, match=r"PU id\(s\) \[4\] are not in the PU table"):
        scp.PlanningData.from_tables(pu, pd.DataFrame({"pu": [4], "feature": ["a"], "amount": [1.0]}))
    with pytest.raises(DataError, match="duplicate"):
        scp.PlanningData.from_tables(pu, pd.concat([rij, rij]))
    with pytest.raises(DataError, match="missing column"):
        scp.PlanningData.from_tables(pu.drop(columns="cost"), rij)
