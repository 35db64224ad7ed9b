"""The Lagrangian bound of any dual vector is valid: never above the brute-force optimum, equal
to the LP optimum at optimal duals, and usable after an interior-point run stopped early."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scp
from bruteforce import brute_force
from scp.model.dual_bound import best_dual_bound, dual_bound
from scp.solving.backends.highs import lp_relaxation


def small(seed: int, penalty: float, coverage: float | None) -> scp.Problem:
    rng = np.random.default_rng(seed)
    n = 12
    d = scp.PlanningData.from_arrays(cost=rng.uniform(1, 10, n), jurisdiction=np.repeat(["A", "B"], 6),
                                     features={f"f{j}": rng.integers(0, 4, n).astype(float) for j in range(3)},
                                     boundary=scp.boundary.grid_boundary(np.ones((3, 4), bool)))
    p = scp.Problem(d).relative_targets(0.4).locked_in([0])
    if penalty:
        p = p.boundary_penalty(penalty)
    if coverage:
        p = p.coverage(coverage, by="jurisdiction")
    return p


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), penalty=st.sampled_from([0.0, 1.0, 4.0]),
       coverage=st.sampled_from([None, 0.3]), noise=st.floats(0.0, 3.0), scale=st.floats(-2.0, 2.0))
def test_any_dual_vector_gives_a_bound_below_the_optimum(seed, penalty, coverage, noise, scale):
    p = small(seed, penalty, coverage)
    best = brute_force(p)
    assert best is not None
    model = scp.compile_problem(p)
    rng = np.random.default_rng(seed)
    y = rng.normal(0, noise, model.n_rows) * scale  # any vector at all
    assert dual_bound(model, y) <= best[0] + 1e-7 * max(1.0, abs(best[0]))
    assert best_dual_bound(model, y) <= best[0] + 1e-7 * max(1.0, abs(best[0]))


@pytest.mark.parametrize("seed", range(5))
def test_lp_duals_give_the_lp_bound(seed):
    p = small(seed, 2.0, 0.3)
    model = scp.compile_problem(p)
    x, bound = lp_relaxation(model)
    assert x is not None
    lp_obj = float(model.c @ x + model.offset)
    assert bound == pytest.approx(lp_obj, rel=1e-6, abs=1e-6)
    assert bound <= brute_force(p)[0] + 1e-7


def test_bound_after_an_interior_point_run_stopped_early():
    rng = np.random.default_rng(2)
    side = 40
    n = side * side
    d = scp.PlanningData.from_arrays(cost=rng.uniform(1, 10, n),
                                     features={f"f{j}": rng.random(n) for j in range(10)},
                                     boundary=scp.boundary.grid_boundary(np.ones((side, side), bool)))
    p = scp.Problem(d).relative_targets(0.3).boundary_penalty(1.0)
    model = scp.compile_problem(p)
    x, bound = lp_relaxation(model, time_limit=0.05)
    assert x is None and np.isfinite(bound)  # stopped early, and still a (weak) bound
    assert bound <= scp.solve(p, gap=0.01).objective  # the optimum lies between them
