"""Adjacency (4/8 neighbours), patches and edge-to-edge distances."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import scp
from scp.data.spatial import adjacency, distance_pairs, grid_adjacency, patch_areas, patches


def test_grid_adjacency_counts_on_a_full_3x3():
    full = np.ones((3, 3), bool)
    np.testing.assert_array_equal(grid_adjacency(full, 4).sum(axis=1).A1, [2, 3, 2, 3, 4, 3, 2, 3, 2])
    np.testing.assert_array_equal(grid_adjacency(full, 8).sum(axis=1).A1, [3, 5, 3, 5, 8, 5, 3, 5, 3])


def test_grid_adjacency_skips_holes_and_keeps_diagonals():
    mask = np.ones((3, 3), bool)
    mask[1, 1] = False  # ring of 8 cells
    a8 = grid_adjacency(mask, 8).toarray()
    # ring: 8 edge pairs + 4 corner pairs ((0,1)-(1,0) ...); nothing through the hole
    assert (a8 == a8.T).all() and a8.sum() == 2 * 12 and a8[1, 3] == 1 and a8[1, 6] == 0
    a4 = grid_adjacency(mask, 4).toarray()
    assert a4.sum() == 2 * 8 and a4[1, 3] == 0


def test_boundary_matrix_agrees_with_4_adjacency():
    mask = np.random.default_rng(3).random((6, 7)) > 0.3
    B = scp.boundary.grid_boundary(mask)
    off = B.toarray() - np.diag(B.diagonal())
    assert ((off > 0) == (grid_adjacency(mask, 4).toarray() > 0)).all()


def _grid(cost: np.ndarray, jur=None) -> scp.PlanningData:
    ny, nx = cost.shape
    ds = xr.Dataset({"cost": (("y", "x"), cost), "f": (("y", "x"), np.ones_like(cost))},
                    coords={"y": np.arange(ny)[::-1] + 0.5, "x": np.arange(nx) + 0.5})
    if jur is not None:
        ds["j"] = (("y", "x"), np.asarray(jur))
    return scp.PlanningData.from_xarray(ds, features=["f"], jurisdiction="j" if jur is not None else None)


def test_8_adjacency_of_data_follows_pu_order_with_missing_cells():
    cost = np.ones((3, 3))
    cost[0, 1] = np.nan
    d = _grid(cost)
    a = adjacency(d, 8).toarray()
    # PUs in order: (0,0) (0,2) (1,0) (1,1) (1,2) (2,0) (2,1) (2,2)
    assert a[0, 1] == 0 and a[0, 3] == 1 and a[1, 3] == 1 and a[3].sum() == 7


def test_adjacency_is_built_once_per_data_and_shared_read_only():
    cost = np.ones((3, 4))
    d, other = _grid(cost), _grid(cost)
    a4, a8 = adjacency(d, 4), adjacency(d, 8)
    assert adjacency(d, 4) is a4 and adjacency(d, 8) is a8 and a4 is not a8
    assert adjacency(other, 4) is not a4 and (adjacency(other, 4) != a4).nnz == 0  # equal data, own matrix
    with pytest.raises(ValueError, match="read-only"):
        a4.data[0] = 5.0
    scaled = a4 * 2.0  # derived matrices are new and writable
    scaled.data[0] = 5.0
    assert a4.data[0] == 1.0 and a4.has_canonical_format and (a4 != a4.T).nnz == 0
    np.testing.assert_array_equal(a4.sum(axis=1).A1, [2, 3, 3, 2, 3, 4, 4, 3, 2, 3, 3, 2])


def test_8_adjacency_needs_a_grid():
    d = scp.PlanningData.from_arrays(cost=[1, 1], features={"a": [1, 1]},
                                     boundary=scp.boundary.boundary_from_pairs([0], [1], [1.0], 2))
    with pytest.raises(scp.ScenarioError, match="8-neighbour adjacency needs grid data"):
        adjacency(d, 8)


def test_patches_and_their_areas():
    d = _grid(np.ones((3, 4)))
    sel = np.zeros(12, bool)
    sel[[0, 1, 5, 3, 11]] = True  # {0,1,5} connected; {3}; {11}
    lab = patches(d, sel)
    assert lab[~sel].tolist() == [-1] * 7 and len(set(lab[sel])) == 3
    np.testing.assert_array_equal(patch_areas(d, lab), [3.0, 1.0, 1.0])
    # corner-touching cells are one 8-neighbour patch
    diag = np.zeros(12, bool)
    diag[[0, 5]] = True
    assert len(set(patches(d, diag, 8)[diag])) == 1 and len(set(patches(d, diag)[diag])) == 2


def test_edge_to_edge_distances_of_grid_cells():
    d = _grid(np.ones((3, 4)))
    units = np.array([0, 1, 5, 11])  # (0,0) (0,1) (1,1) (2,3)
    m = distance_pairs(d, units, 10.0).toarray()
    dist = np.where(m > 0, m - 1.0, np.inf)
    assert dist[0, 1] == 0 and dist[0, 2] == 0  # edge and corner neighbours
    assert dist[0, 3] == pytest.approx(np.hypot(2, 1))  # 2 cells across, 1 cell down between edges
    assert dist[2, 3] == pytest.approx(1.0)
    assert (distance_pairs(d, units, 1.5).toarray()[0, 3]) == 0  # beyond the cut-off
