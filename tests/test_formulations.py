"""The compact per-unit linearisation of penalty pairs: exact rows, and the same optima as
the standard pair linearisation and brute force."""

from __future__ import annotations

import numpy as np
import pytest

import scp
from bruteforce import brute_force


def test_compact_rows_on_a_2x2_grid():
    d = scp.PlanningData.from_arrays(cost=[1.0, 1, 1, 1], features={"a": [1.0, 1, 1, 1]},
                                     boundary=scp.boundary.grid_boundary(np.ones((2, 2), bool)))
    m = scp.compile_problem(scp.Problem(d).absolute_targets(1.0).boundary_penalty(2.0), "compact")
    assert m.col_tags() == ["x", "pair_compact"] and "pair_aux" not in m.col_tags()
    v = m.cols("pair_compact")
    # W_ij = 2 p B_ij = 4 for the 4 shared edges; S = W + W^T; w_i = 8 (two neighbours each)
    np.testing.assert_array_equal(m.col_upper[v], [8, 8, 8, 8])
    np.testing.assert_array_equal(m.c[v], [-0.5] * 4)
    nb = m.A[m.rows("pair_compact:neighbours")].toarray()
    np.testing.assert_array_equal(nb[0, :4], [0, -4, -4, 0])
    assert nb[0, v.start] == 1
    sf = m.A[m.rows("pair_compact:self")].toarray()
    np.testing.assert_array_equal(sf[1, :4], [0, -8, 0, 0])
    # linear part e_i = p * perimeter = 2 * 4 on every unit, unchanged by the formulation
    np.testing.assert_array_equal(m.c[:4], 1.0 + 8.0)
    pairs = scp.compile_problem(scp.Problem(d).absolute_targets(1.0).boundary_penalty(2.0), "pairs")
    np.testing.assert_array_equal(pairs.c[:4], m.c[:4])


def test_unknown_formulation():
    d = scp.PlanningData.from_arrays(cost=[1.0], features={"a": [1.0]})
    with pytest.raises(scp.ScenarioError, match="not one of"):
        scp.compile_problem(scp.Problem(d).absolute_targets(1.0), "quadratic")


@pytest.mark.parametrize("seed", range(8))
def test_compact_equals_pairs_and_brute_force(seed):
    rng = np.random.default_rng(100 + seed)
    n = 12
    conn = rng.random((n, n)) * (rng.random((n, n)) < 0.3)
    d = scp.PlanningData.from_arrays(cost=rng.integers(1, 10, n).astype(float),
                                     features={f"f{j}": rng.integers(0, 4, n).astype(float) for j in range(3)},
                                     boundary=scp.boundary.grid_boundary(np.ones((3, 4), bool)),
                                     connectivity={"c": conn})
    p = scp.Problem(d)
    p = p.relative_targets(0.4) if seed % 2 == 0 else p.max_utility(budget=float(d.cost.sum()) * 0.4)
    p = p.boundary_penalty(rng.uniform(0.1, 1.0)).connectivity_penalty(rng.uniform(0.1, 2), "c",
                                                                           asymmetric=bool(seed % 3 == 0))
    best, _ = brute_force(p)
    for solver in ("highs", "cbc"):
        for form in ("pairs", "compact"):
            assert p.solve(solver, formulation=form).objective == pytest.approx(best), (solver, form)
