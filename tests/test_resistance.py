"""Least-cost distances through a resistance surface and dispersal kernels."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import scp
from bruteforce import brute_force
from scp.data.resistance import dispersal_kernel, least_cost_distances, resistance_connectivity


def grid(ny: int, nx: int, seed: int = 0) -> scp.PlanningData:
    rng = np.random.default_rng(seed)
    ds = xr.Dataset({"cost": (("y", "x"), rng.integers(1, 9, (ny, nx)).astype(float)),
                     "f": (("y", "x"), rng.integers(0, 3, (ny, nx)) + 0.5)},
                    coords={"y": np.arange(ny)[::-1] * 2.0, "x": np.arange(nx) * 2.0})  # 2-unit cells
    return scp.PlanningData.from_xarray(ds, features=["f"])


def test_least_cost_distance_along_a_strip_by_hand():
    d = grid(1, 5)
    r = np.array([1.0, 1.0, 10.0, 1.0, 1.0])
    D = least_cost_distances(d, r, max_cost=100.0).toarray()
    # steps of 2 map units, each costing the mean resistance of its two cells
    assert D[0, 1] == pytest.approx(2 * 1.0)
    assert D[0, 4] == pytest.approx(2 * (1 + 5.5 + 5.5 + 1))
    assert D[4, 0] == D[0, 4] and D[0, 0] == 0
    assert least_cost_distances(d, r, max_cost=10.0).toarray()[0, 4] == 0  # beyond the cut-off


def test_diagonal_steps_and_detours_around_barriers():
    d = grid(3, 3)
    r = np.ones(9)
    D = least_cost_distances(d, r, 100.0).toarray()
    assert D[0, 4] == pytest.approx(2 * np.sqrt(2))  # one diagonal step
    assert D[0, 8] == pytest.approx(4 * np.sqrt(2))
    D4 = least_cost_distances(d, r, 100.0, neighbours=4).toarray()
    assert D4[0, 8] == pytest.approx(8.0)
    r[4] = 100.0  # a barrier in the middle: go round it
    D = least_cost_distances(d, r, 1000.0).toarray()
    assert D[0, 8] == pytest.approx(2 + 2 * np.sqrt(2) + 2)  # side, diagonal past the barrier, side


def test_kernel_and_bad_resistance():
    d = grid(1, 3)
    K = resistance_connectivity(d, np.ones(3), dispersal_distance=2.0).toarray()
    assert K[0, 1] == pytest.approx(np.exp(-1.0)) and K[0, 2] == pytest.approx(np.exp(-2.0))
    q = np.array([1.0, 0.0, 2.0])
    Kq = dispersal_kernel(least_cost_distances(d, np.ones(3), 10.0), 2.0, q).toarray()
    assert Kq[2, 0] == pytest.approx(2 * np.exp(-2.0)) and (Kq[1] == 0).all()
    with pytest.raises(scp.DataError, match="resistance must be > 0"):
        least_cost_distances(d, np.array([1.0, 0.0, 1.0]), 10.0)
    with pytest.raises(scp.DataError, match="not a positive number"):
        least_cost_distances(d, np.array([1.0, np.nan, 1.0]), 10.0)


@pytest.mark.parametrize("asymmetric", [False, True])
def test_resistance_penalty_optimum_equals_brute_force(asymmetric):
    d = grid(3, 4, seed=5)
    rng = np.random.default_rng(1)
    r = rng.uniform(0.5, 4.0, d.n_pu)
    weight = rng.uniform(0, 2, d.n_pu) if asymmetric else None
    K = resistance_connectivity(d, r, dispersal_distance=3.0, source_weight=weight)
    p = (scp.Problem(d.with_connectivity("kernel", K)).relative_targets(0.4)
         .connectivity_penalty(1.5, "kernel", asymmetric=asymmetric))
    best, _ = brute_force(p)
    assert p.solve().objective == pytest.approx(best)


def test_chunked_sources_give_the_same_matrix():
    d = grid(4, 5, seed=2)
    r = np.random.default_rng(0).uniform(1, 5, d.n_pu)
    whole = least_cost_distances(d, r, 30.0)
    chunked = least_cost_distances(d, r, 30.0, chunk_bytes=8 * d.n_pu * 3)  # 3 sources per chunk
    assert chunked.shape == whole.shape and abs(chunked - whole).max() == 0
