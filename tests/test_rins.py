"""Relaxation-induced neighbourhood search: the sub-model fixes exactly the units where the LP
and the incumbent agree; the search never returns an infeasible or worse selection, never beats
the brute-force optimum, and improves a poor start on a boundary problem."""

from __future__ import annotations

import numpy as np
import pytest

import scp
from bruteforce import brute_force
from scp.model import compile_problem
from scp.solving.backends import SolveOptions, solve_with
from scp.solving.heuristic import greedy_selection, lp_guided_start
from scp.solving.rins import neighbourhood_model, relaxation_induced_search
from test_heuristic import problem


def exact(model, warm, options):
    return solve_with(model, "highs", options)


def test_the_sub_model_fixes_exactly_the_agreeing_units():
    p = problem(0, n_side=3, penalty=1.0)
    model = compile_problem(p)
    lp_x = np.array([1.0, 0.0, 0.5, 1.0, 0.0, 0.2, 1e-9, 1.0, 0.0])
    sel = np.array([1, 1, 0, 1, 0, 0, 0, 0, 0], dtype=float)
    sub, free = neighbourhood_model(model, lp_x, sel)
    fixed = np.array([True, False, False, True, True, False, True, False, True])
    # unit 0 is locked in and unit 8 locked out by the test problem: both fixed anyway
    n = model.n_pu
    np.testing.assert_array_equal(sub.col_lower[:n] == sub.col_upper[:n], fixed)
    np.testing.assert_array_equal(sub.col_lower[:n][fixed], sel[fixed])
    assert free == int((~fixed).sum())
    np.testing.assert_array_equal(sub.col_lower[n:], model.col_lower[n:])  # penalty columns stay free
    np.testing.assert_array_equal(sub.col_upper[n:], model.col_upper[n:])


@pytest.mark.parametrize("seed", range(6))
def test_search_is_feasible_never_worse_and_never_below_the_optimum(seed):
    p = problem(seed, n_side=4, penalty=[0.5, 2.0][seed % 2], coverage=0.3 if seed % 2 else None)
    model = compile_problem(p)
    start = lp_guided_start(p, model)
    poor = greedy_selection(p, rounds=0)  # no improvement steps: a weak start
    obj = scp.evaluate(p, poor).objective
    optimum, _ = brute_force(p)
    found = relaxation_induced_search(p, model, start.lp_x, poor, obj, exact, SolveOptions(), None,
                                      max_free_share=1.0)
    assert found is not None and found.rounds >= 1
    ev = scp.evaluate(p, found.selection)
    assert ev.feasible, ev.violations
    assert found.objective == pytest.approx(ev.objective)
    assert optimum - 1e-9 <= found.objective <= obj + 1e-9
    if obj > optimum + 1e-6:  # a worse start is improved
        assert found.objective < obj - 1e-9


def test_a_neighbourhood_as_large_as_the_problem_is_not_searched():
    p = problem(1, n_side=4, penalty=2.0, coverage=0.3)  # the LP is fractional on 14 of 16 units
    model = compile_problem(p)
    start = lp_guided_start(p, model)
    poor = greedy_selection(p, rounds=0)
    calls = []
    found = relaxation_induced_search(p, model, start.lp_x, poor, scp.evaluate(p, poor).objective,
                                      lambda *a: calls.append(a), SolveOptions(), None)
    assert found is None and not calls


def test_pipeline_reports_the_neighbourhood_search_and_stays_exact():
    p = problem(5, n_side=10, penalty=2.0, coverage=0.3)
    sol = p.solve(warm_start="heuristic")
    assert "neighbourhood_s" in sol.extra and "neighbourhood_gain" in sol.summary()["warm_start"]
    from scp.app.report.content import solver_rows

    rows = solver_rows({"warm_start": {"lp_bound": 1.0, "heuristic_objective": 2.0, "neighbourhood_gain": 3.5,
                                       "neighbourhood_s": 1.26}})
    assert ["gain of the neighbourhood search", "3.50 in 1.30 s"] in rows
    assert sol.objective == pytest.approx(p.solve().objective)
    assert sol.evaluation.feasible


def test_search_ends_once_the_selection_is_good_enough():
    p = problem(0, n_side=4, penalty=0.5)
    model = compile_problem(p)
    start = lp_guided_start(p, model)
    poor = greedy_selection(p, rounds=0)
    obj = scp.evaluate(p, poor).objective
    calls = []

    def counting(model, warm, options):
        calls.append(options.gap)
        return exact(model, warm, options)

    assert relaxation_induced_search(p, model, start.lp_x, poor, obj, counting, SolveOptions(), None,
                                     max_free_share=1.0, enough=lambda o: True) is None and not calls
    found = relaxation_induced_search(p, model, start.lp_x, poor, obj, counting, SolveOptions(gap=0.0005), None,
                                      max_free_share=1.0, enough=lambda o: o < obj)
    assert found.rounds == 1 and len(calls) == 1 and found.objective < obj
    assert calls[0] == pytest.approx(5e-5)  # sub-MIPs to a tenth of the requested gap, at most 1e-4
    relaxation_induced_search(p, model, start.lp_x, poor, obj, counting, SolveOptions(gap=0.01), None,
                              max_free_share=1.0, enough=lambda o: o < obj)
    assert calls[-1] == pytest.approx(1e-4)
