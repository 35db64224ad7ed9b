"""Rank importance by incremental budgets: every step is the exact optimum; ranks follow the steps."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import scp
from scp.errors import ScenarioError
from scp.solving.rank_importance import rank_importance


def problem(seed: int = 0):
    rng = np.random.default_rng(seed)
    n = 8
    d = scp.PlanningData.from_arrays(cost=rng.uniform(1, 5, n).round(2),
                                     features={f"f{j}": rng.uniform(0, 3, n).round(2) for j in range(3)})
    return scp.Problem(d).relative_targets(0.4)


def best_shortfall(p, allowed, forced, budget):
    """min over subsets of ``allowed`` holding ``forced`` within ``budget`` of the shortfall objective."""
    q = p.min_shortfall(budget)
    best = np.inf
    free = np.flatnonzero(allowed & ~forced)
    for bits in itertools.product((0, 1), repeat=free.size):
        x = forced.copy()
        x[free] = np.array(bits, bool)
        ev = scp.evaluate(q, x)
        if ev.feasible:
            best = min(best, ev.objective)
    return best


@pytest.mark.parametrize("seed", range(2))
def test_each_step_is_the_optimum_and_earlier_units_rank_higher(seed):
    p = problem(seed)
    sol = scp.solve(p)
    r = rank_importance(p, sol.selection, n=3, rescale=False)
    sel = sol.selection
    assert np.isnan(r.ranks[~sel]).all() and set(np.unique(r.ranks[sel])) <= {0.0, 1.0, 2.0, 3.0}
    np.testing.assert_allclose(r.budgets, np.linspace(0, sol.cost, 4)[1:])
    chosen = np.zeros(sel.size, bool)
    for k, b in enumerate(r.budgets):  # replay: the step's objective is the brute-force optimum
        assert r.objectives[k] == pytest.approx(best_shortfall(p, sel, chosen, b), abs=1e-7)
        chosen |= r.ranks >= 3 - k
    assert (r.ranks[sel] > 0).all()  # at the solution's own cost every target is met again
    resc = rank_importance(p, sol.selection, n=3).ranks
    assert np.nanmax(resc) == pytest.approx(1.0) and np.nanmin(resc[resc > 0]) >= 0.01


def test_max_utility_ranks_and_argument_checks():
    p = problem(3)
    sol = scp.solve(p)
    r = rank_importance(p, sol.selection, budgets=[sol.cost / 2, sol.cost], objective="max_utility", rescale=False)
    assert set(np.unique(r.ranks[sol.selection])) <= {0.0, 1.0, 2.0} and (r.ranks[sol.selection] == 2).any()
    with pytest.raises(ScenarioError, match="either n"):
        rank_importance(p, sol.selection)
    with pytest.raises(ScenarioError, match="budget-limited"):
        rank_importance(p, sol.selection, n=2, objective="min_set")
