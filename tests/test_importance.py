"""Importance scores without re-solving (scp.results.importance)."""

from __future__ import annotations

import numpy as np
import pytest

import scp
from scp.results.importance import rarity_weighted_richness, rescaled


def test_rarity_weighted_richness_by_hand():
    # features x units: a = [2, 0, 1], b = [0, 4, 4]
    d = scp.PlanningData.from_arrays(cost=[1.0, 1.0, 1.0], features={"a": [2.0, 0.0, 1.0], "b": [0.0, 4.0, 4.0]})
    sel = np.array([True, False, True])
    raw = rarity_weighted_richness(d, sel, rescale=False)
    # unit 0: (2/2)/3 = 1/3; unit 2: (1/2)/3 + (4/4)/8 = 1/6 + 1/8
    np.testing.assert_allclose(raw[[0, 2]], [1 / 3, 1 / 6 + 1 / 8])
    assert np.isnan(raw[1])
    r = rarity_weighted_richness(d, sel)
    np.testing.assert_allclose(r[[0, 2]], [1.0, 0.01])


def test_rescale_keeps_zero_inf_and_nan():
    v = rescaled(np.array([0.0, 2.0, 4.0, np.inf, np.nan, 3.0]))
    np.testing.assert_allclose(v[[1, 2, 5]], [0.01, 1.0, 0.505])
    assert v[0] == 0 and np.isinf(v[3]) and np.isnan(v[4])
    assert rescaled(np.array([5.0, 5.0]))[0] == 1.0


def test_replacement_importance_rescaled_matches_raw():
    rng = np.random.default_rng(2)
    d = scp.PlanningData.from_arrays(cost=rng.uniform(1, 5, 8), features={"a": rng.integers(0, 3, 8).astype(float) + 1})
    sol = scp.solve(scp.Problem(d).relative_targets(0.5))
    raw = scp.replacement_importance(sol)
    np.testing.assert_allclose(scp.replacement_importance(sol, rescale=True), rescaled(raw))
    assert np.nanmax(rescaled(raw)[np.isfinite(raw) & (raw > 0)]) == pytest.approx(1.0)

