"""Ferrier et al. (2000) irreplaceability: the normal approximation against sampled portfolios."""

from __future__ import annotations

import numpy as np
import pytest

import scp
from scp.errors import ScenarioError
from scp.results.ferrier import ferrier_importance, ferrier_probabilities


def landscape(n: int = 300, seed: int = 0) -> scp.PlanningData:
    rng = np.random.default_rng(seed)
    return scp.PlanningData.from_arrays(cost=np.ones(n), features={
        "common": rng.exponential(1.0, n), "patchy": rng.exponential(1.0, n) * (rng.random(n) < 0.5)})


def test_probabilities_match_random_portfolios():
    d = landscape()
    p = scp.Problem(d).relative_targets(0.3)
    rng = np.random.default_rng(1)
    sel = np.zeros(d.n_pu, bool)
    sel[rng.choice(d.n_pu, 100, replace=False)] = True
    parts = ferrier_probabilities(p, sel)
    t = p.resolved_targets()
    R = d.rij.toarray()
    draws = 20000
    for pick in rng.choice(parts["j"].size, 6, replace=False):
        j, k = parts["j"][pick], parts["k"][pick]
        others = np.delete(R[j], k)
        order = np.argsort(rng.random((draws, others.size)), axis=1)  # random portfolios without replacement
        sums = np.cumsum(others[order[:, :100]], axis=1)
        mc_in = np.mean(sums[:, 98] + R[j, k] >= t[j])  # k and 99 others
        mc_out = np.mean(sums[:, 99] >= t[j])  # 100 others
        mc_rem = np.mean(sums[:, 98] >= t[j])  # the 99 others alone
        assert parts["p_in"][pick] == pytest.approx(mc_in, abs=0.03)
        assert parts["p_out"][pick] == pytest.approx(mc_out, abs=0.03)
        assert parts["p_rem"][pick] == pytest.approx(mc_rem, abs=0.03)


def test_a_unit_without_which_the_target_is_out_of_reach_scores_one():
    d = scp.PlanningData.from_arrays(cost=np.ones(6), features={"rare": [5.0, 0, 0, 1, 0, 0],
                                                                 "common": [1.0, 1, 1, 1, 1, 1]})
    p = scp.Problem(d).absolute_targets({"rare": 5.0, "common": 2.0})
    sel = np.array([1, 0, 0, 1, 0, 0], bool)
    scores, total = ferrier_importance(p, sel)
    assert scores[0, 0] == pytest.approx(1.0)  # only unit 0 can meet the rare target
    assert scores[3, 0] < 0.5  # unit 3 holds 1 of the 5 needed: replaceable (normal approximation on 6 units)
    assert np.isnan(scores[1]).all() and np.isnan(total[1])  # not selected
    assert total[0] == pytest.approx(scores[0].sum())
    assert 0.0 <= scores[0, 1] < 1.0  # common: many ways to reach it


def test_needs_targets():
    d = landscape(20)
    with pytest.raises(ScenarioError, match="targets"):
        ferrier_importance(scp.Problem(d).max_utility(5.0), np.ones(20, bool))
