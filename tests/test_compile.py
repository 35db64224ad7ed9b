"""Compile tests: exact matrices, bounds and tags for each component on the 4-PU toy (no solver)."""

from __future__ import annotations

import numpy as np
import pytest

import scp


def dense(model, tag):
    return model.A[model.rows(tag)].toarray()


def test_min_set_targets(toy):
    m = scp.compile_problem(scp.Problem(toy).min_set().relative_targets(0.5).absolute_targets({"sp2": 2.0}))
    assert m.col_tags() == ["x"] and m.row_tags() == ["target"]
    np.testing.assert_array_equal(m.c, [1, 2, 3, 4])
    np.testing.assert_array_equal(dense(m, "target"), [[1, 0, 2, 1], [0, 3, 1, 0]])
    np.testing.assert_array_equal(m.row_lower, [2.0, 2.0])
    assert np.isinf(m.row_upper).all()
    np.testing.assert_array_equal(m.integrality, [1, 1, 1, 1])
    np.testing.assert_array_equal(m.col_lower, 0) and np.testing.assert_array_equal(m.col_upper, 1)
    assert m.row_blocks[0].labels == ("sp1", "sp2")
    assert m.sense == 1 and m.offset == 0


def test_locked_in_out_are_bounds(toy):
    data = toy.with_status(np.array([0, 1, 0, 2]))
    m = scp.compile_problem(scp.Problem(data).relative_targets(0.1).locked_in([12]))
    np.testing.assert_array_equal(m.col_lower, [0, 1, 1, 0])
    np.testing.assert_array_equal(m.col_upper, [1, 1, 1, 0])


def test_budget_coverage_linear(toy):
    p = (scp.Problem(toy).relative_targets(0.1).budget(5).coverage(0.3).coverage(0.5, by="jurisdiction")
         .linear_constraint([1, 1, 0, 0], "<=", 1, name="north"))
    m = scp.compile_problem(p)
    assert m.row_tags() == ["target", "budget", "coverage:total", "coverage:A", "coverage:B", "linear:north"]
    np.testing.assert_array_equal(dense(m, "budget"), [[1, 2, 3, 4]])
    assert m.row_upper[m.rows("budget")][0] == 5 and np.isinf(m.row_lower[m.rows("budget")][0])
    # coverage rows are area shares: a_i / A_K >= f
    np.testing.assert_allclose(dense(m, "coverage:total"), [[1 / 6, 1 / 6, 2 / 6, 2 / 6]])
    assert m.row_lower[m.rows("coverage:total")][0] == pytest.approx(0.3)
    np.testing.assert_allclose(dense(m, "coverage:A"), [[0.5, 0.5, 0, 0]])
    np.testing.assert_allclose(dense(m, "coverage:B"), [[0, 0, 0.5, 0.5]])
    assert m.row_lower[m.rows("coverage:A")][0] == pytest.approx(0.5)
    assert m.row_lower[m.rows("coverage:B")][0] == pytest.approx(0.5)
    np.testing.assert_array_equal(dense(m, "linear:north"), [[1, 1, 0, 0]])
    assert m.row_upper[m.rows("linear:north")][0] == 1


def test_boundary_penalty_pairs(toy):
    # unit squares in a 2x2 grid: each has 2 shared edges and 2 exposed edges
    m = scp.compile_problem(scp.Problem(toy).relative_targets(0.1).boundary_penalty(2.0, edge_factor=0.5))
    assert m.col_tags() == ["x", "pair_aux"]
    assert m.row_tags() == ["pair_aux:i", "pair_aux:j", "target"]
    # e_i = p (f * exposed + shared) = 2 (0.5 * 2 + 2) = 6
    np.testing.assert_allclose(m.c[m.cols("x")], np.array([1, 2, 3, 4]) + 6.0)
    # pairs (0,1), (0,2), (1,3), (2,3), each -2 p B_ij = -4
    np.testing.assert_allclose(m.c[m.cols("pair_aux")], [-4, -4, -4, -4])
    Ai, Aj = dense(m, "pair_aux:i"), dense(m, "pair_aux:j")
    np.testing.assert_array_equal(Ai[:, :4], -np.array([[1, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]))
    np.testing.assert_array_equal(Aj[:, :4], -np.array([[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1]]))
    np.testing.assert_array_equal(Ai[:, 4:], np.eye(4))
    np.testing.assert_array_equal(Aj[:, 4:], np.eye(4))
    assert (m.row_upper[m.rows("pair_aux:i")] == 0).all()
    np.testing.assert_array_equal(m.integrality, [1, 1, 1, 1, 0, 0, 0, 0])


def test_connectivity_asymmetric_and_symmetric(toy):
    m = scp.compile_problem(scp.Problem(toy).relative_targets(0.1).connectivity_penalty(1.0, "flow", asymmetric=True))
    # D = [[0,2,0,0],[0,0,1,0],[0,0,0,0],[3,0,0,0]]: e = row sums, W_ij = D_ij + D_ji
    np.testing.assert_allclose(m.c[:4], np.array([1, 2, 3, 4]) + [2, 1, 0, 3])
    np.testing.assert_allclose(m.c[m.cols("pair_aux")], [-2, -3, -1])  # pairs (0,1), (0,3), (1,2)
    np.testing.assert_array_equal(np.argmax(-dense(m, "pair_aux:j")[:, :4], axis=1), [1, 3, 2])
    s = scp.compile_problem(scp.Problem(toy).relative_targets(0.1).connectivity_penalty(1.0, "flow"))
    # symmetrised S = (D + D^T) / 2: e = row sums of S, W = 2 S
    np.testing.assert_allclose(s.c[:4], np.array([1, 2, 3, 4]) + [2.5, 1.5, 0.5, 1.5])
    np.testing.assert_allclose(s.c[s.cols("pair_aux")], [-2, -3, -1])


def test_max_utility(toy):
    m = scp.compile_problem(scp.Problem(toy).max_utility(budget=4, weights={"sp2": 2.0}))
    assert m.sense == -1 and m.row_tags() == ["budget"]
    np.testing.assert_allclose(m.c, -np.array([1 + 0, 0 + 6, 2 + 2, 1 + 0]))
    assert m.row_upper[0] == 4


def test_min_shortfall(toy):
    m = scp.compile_problem(scp.Problem(toy).min_shortfall(budget=3).relative_targets(0.5))
    assert m.col_tags() == ["x", "shortfall"] and m.row_tags() == ["shortfall", "budget"]
    # targets: sp1 2.0, sp2 2.0 -> shortfall costs 1/2, upper bounds = targets
    np.testing.assert_allclose(m.c, [0, 0, 0, 0, 0.5, 0.5])
    np.testing.assert_allclose(m.col_upper[4:], [2, 2])
    np.testing.assert_array_equal(dense(m, "shortfall"), [[1, 0, 2, 1, 1, 0], [0, 3, 1, 0, 0, 1]])
    np.testing.assert_allclose(m.row_lower[:2], [2, 2])
    np.testing.assert_array_equal(m.integrality, [1, 1, 1, 1, 0, 0])


def test_min_largest_shortfall(toy):
    m = scp.compile_problem(scp.Problem(toy).min_largest_shortfall(budget=3, weights={"sp2": 2.0})
                            .relative_targets(0.5))
    assert m.col_tags() == ["x", "shortfall", "largest_shortfall"]
    assert m.row_tags() == ["shortfall", "largest_shortfall", "budget"]
    np.testing.assert_allclose(m.c, [0, 0, 0, 0, 0, 0, 1])  # min z
    # z - w_j s_j / t_j >= 0: sp1 w 1 t 2, sp2 w 2 t 2
    np.testing.assert_allclose(dense(m, "largest_shortfall"), [[0, 0, 0, 0, -0.5, 0, 1], [0, 0, 0, 0, 0, -1.0, 1]])
    np.testing.assert_allclose(m.row_lower[m.rows("largest_shortfall")], [0, 0])
    np.testing.assert_array_equal(m.integrality, [1, 1, 1, 1, 0, 0, 0])


def test_max_features_met(toy):
    m = scp.compile_problem(scp.Problem(toy).max_features_met(budget=3, weights={"sp2": 2.0}).relative_targets(0.5))
    assert m.sense == -1 and m.col_tags() == ["x", "met"] and m.row_tags() == ["met", "budget"]
    s = 0.01 * 1.0 / toy.cost.sum()  # the tie-break to the cheapest: s = 0.01 min w / sum c
    np.testing.assert_allclose(m.c, np.r_[s * toy.cost, -1, -2])  # maximise sum w_j y_j - s c . x
    # r_j . x - t_j y_j >= 0 with t = (2, 2)
    np.testing.assert_allclose(dense(m, "met"), [[1, 0, 2, 1, -2, 0], [0, 3, 1, 0, 0, -2]])
    np.testing.assert_array_equal(m.integrality, [1, 1, 1, 1, 1, 1])


def test_linear_penalty_adds_to_the_costs(toy):
    base = scp.compile_problem(scp.Problem(toy).relative_targets(0.5))
    m = scp.compile_problem(scp.Problem(toy).relative_targets(0.5).linear_penalty(2.0, [1.0, -0.5, 0.0, 3.0], "fp"))
    np.testing.assert_allclose(m.c - base.c, [2.0, -1.0, 0.0, 6.0])
    assert (m.A != base.A).nnz == 0 and m.col_tags() == ["x"]
    with pytest.raises(scp.ScenarioError, match="4 planning units"):
        scp.Problem(toy).linear_penalty(1.0, [1.0, 2.0])
    with pytest.raises(scp.ScenarioError, match="finite"):
        scp.Problem(toy).linear_penalty(1.0, [1.0, np.nan, 0, 0])


def test_max_cover(toy):
    m = scp.compile_problem(scp.Problem(toy).max_cover(budget=3))
    assert m.sense == -1 and m.col_tags() == ["x", "covered"] and m.row_tags() == ["covered", "budget"]
    # a unit covers a feature when it holds any of it
    np.testing.assert_allclose(dense(m, "covered"), [[1, 0, 1, 1, -1, 0], [0, 1, 1, 0, 0, -1]])
    with pytest.raises(scp.ScenarioError, match="does not use targets"):
        scp.compile_problem(scp.Problem(toy).max_cover(budget=3).relative_targets(0.5))


def test_min_penalties(toy):
    m = scp.compile_problem(scp.Problem(toy).min_penalties(budget=5).relative_targets(0.5).boundary_penalty(1.0))
    assert m.sense == 1 and m.row_tags()[:2] == ["target", "budget"] or "budget" in m.row_tags()
    base = scp.compile_problem(scp.Problem(toy).relative_targets(0.5).boundary_penalty(1.0))
    np.testing.assert_allclose(m.c[: toy.n_pu], base.c[: toy.n_pu] - toy.cost)  # the penalties' part only
    assert m.row_upper[m.rows("budget")][0] == 5
    with pytest.raises(scp.ScenarioError, match="needs targets"):
        scp.compile_problem(scp.Problem(toy).min_penalties(budget=5))


def test_group_target_row(toy):
    m = scp.compile_problem(scp.Problem(toy).relative_targets(0.1).group_target("both", ["sp1", "sp2"], relative=0.5))
    # sp1 + sp2 amounts per unit, target half of their summed totals (4 + 4)
    np.testing.assert_allclose(dense(m, "group_target:both"), [[1, 3, 3, 1]])
    assert m.row_lower[m.rows("group_target:both")][0] == pytest.approx(4.0)
    with pytest.raises(scp.ScenarioError, match="group_targets.g.features"):
        scp.Problem(toy).group_target("g", ["sp1", "nope"], relative=0.5)
    with pytest.raises(scp.Infeasible, match="group target 'g'"):
        scp.Problem(toy).relative_targets(0.1).group_target("g", ["sp1"], absolute=99.0).solve()


def test_digest_is_deterministic(toy):
    p = scp.Problem(toy).relative_targets(0.3).boundary_penalty(1.0)
    assert scp.compile_problem(p).digest() == scp.compile_problem(p).digest()
    assert scp.compile_problem(p).digest() != scp.compile_problem(scp.Problem(toy).relative_targets(0.4)).digest()
