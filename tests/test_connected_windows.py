"""The window search: its windows and edge units, which units it fixes, that everything it keeps
is a verified connected selection no worse than its start, and that the cuts it returns are
valid for every connected selection (brute force on a 4x4 grid)."""

from __future__ import annotations

import time

import numpy as np
import pytest

import scp
from bruteforce import all_selections, connected_all
from scp.data.spatial import adjacency, parts
from scp.model import compile_problem
from scp.model.cuts import unit_graph
from scp.solving import pipeline
from scp.solving.backends import SolveOptions
from scp.solving.backends.highs import lp_relaxation
from scp.solving.connect import connect
from scp.solving.connected_windows import edge_units, fixed_outside, window, window_search
from scp.solving.cut_loop import NeedsCuts, root_start, violated_cuts
from test_contiguity import grid_data, random_grid


def test_a_window_is_the_breadth_first_ball_around_its_centre():
    graph = unit_graph(adjacency(grid_data(5, 5)))
    inside = window(graph, 12, 5)  # the centre of a 5x5 grid and its four neighbours
    assert sorted(np.flatnonzero(inside).tolist()) == [7, 11, 12, 13, 17]
    big = window(graph, 0, 9)
    assert big.sum() == 9 and big[0] and parts(adjacency(grid_data(5, 5)), big).max() == 0  # one piece
    assert window(graph, 3, 100).all()  # larger than the grid: every unit


def test_a_window_that_would_hold_the_whole_plan_stops_before_its_later_half():
    graph = unit_graph(adjacency(grid_data(1, 8)))  # a path 0-1-...-7
    sel = np.zeros(8, bool)
    sel[[1, 2, 3, 4]] = True
    # from unit 0 the first six units hold all four selected ones: cut before the third (unit 3)
    assert np.flatnonzero(window(graph, 0, 6, sel)).tolist() == [0, 1, 2]
    # a window that leaves a selected unit outside is kept whole
    assert np.flatnonzero(window(graph, 0, 4, sel)).tolist() == [0, 1, 2, 3]


def test_edge_units_are_selected_units_next_to_an_open_unselected_one():
    graph = unit_graph(adjacency(grid_data(3, 3)))
    sel = np.zeros(9, bool)
    sel[[0, 1, 3, 4]] = True  # a 2x2 block in the corner
    movable = np.ones(9, bool)
    assert edge_units(graph, sel, movable).tolist() == [1, 3, 4]  # unit 0 touches only selected units
    movable[[2, 5, 6, 7, 8]] = False  # every unselected unit locked: any movable selected unit
    assert edge_units(graph, sel, movable).tolist() == [0, 1, 3, 4]


def test_units_outside_the_window_are_fixed_to_the_selection():
    problem = scp.Problem(grid_data(2, 3)).relative_targets(0.5).contiguity()
    model = compile_problem(problem)
    inside = np.array([1, 1, 0, 0, 0, 1], dtype=bool)
    sel = np.array([0, 1, 1, 0, 1, 0], dtype=float)
    sub = fixed_outside(model, inside, sel)
    assert sub.col_lower[[2, 3, 4]].tolist() == [1, 0, 1] and sub.col_upper[[2, 3, 4]].tolist() == [1, 0, 1]
    assert (sub.col_lower[[0, 1, 5]] == 0).all() and (sub.col_upper[[0, 1, 5]] == 1).all()
    assert (sub.col_lower[6:] == model.col_lower[6:]).all() and (sub.col_upper[6:] == model.col_upper[6:]).all()


def _search(problem, start, seconds=10.0, flow=True):
    model = compile_problem(problem)
    n = model.n_pu
    adj = adjacency(problem.data)
    evs = []
    best = [np.asarray(start, bool), scp.evaluate(problem, start).objective]

    def offer(sel):
        ev = scp.evaluate(problem, sel)
        evs.append(ev)
        if ev.feasible and ev.objective < best[1] - 1e-9:
            best[0], best[1] = sel, ev.objective
            return True
        return False

    out, windows, found = window_search(
        model, adj, lambda: (best[0], best[1]), offer,
        lambda m, w, o: pipeline._exact(m, "highs", w, o), SolveOptions(gap=0.0),
        lambda sel: violated_cuts(problem, sel, adj, rooted=True), lambda sel: connect(problem, sel),
        NeedsCuts(problem, adj, n), root_start(model), time.perf_counter() + seconds, flow=flow)
    return model, out, windows, found, best, evs


@pytest.mark.parametrize("flow", [True, False])
def test_search_keeps_only_verified_connected_improvements(flow):
    problem = scp.Problem(random_grid(8, 2)).relative_targets(0.2).contiguity()
    # the LP's support joined into one piece: connected, feasible and far from optimal
    x, _ = lp_relaxation(compile_problem(problem))
    start = connect(problem, x[:64] > 0.01)
    assert start is not None and scp.evaluate(problem, start).feasible
    before = scp.evaluate(problem, start).objective
    model, out, windows, found, best, evs = _search(problem, start, seconds=5.0, flow=flow)
    assert windows >= 1
    ev = scp.evaluate(problem, best[0])
    assert ev.feasible and ev.n_patches == 1 and best[1] < before
    assert out.n_rows - model.n_rows >= found >= 0
    # what it kept is the best verified connected selection it offered
    kept = [e.objective for e in evs if e.feasible]
    assert np.isclose(best[1], min(kept + [before]))


def test_cuts_it_returns_are_valid_for_every_connected_selection_of_4x4():
    """Without the window's flow rows the sub-models' solutions break contiguity and get cuts:
    every cut the search returns holds for every connected selection of a 4x4 grid with its
    root column at any of its units (each such point is feasible for the model)."""
    problem = scp.Problem(random_grid(4, 1)).relative_targets(0.3).contiguity()
    x, _ = lp_relaxation(compile_problem(problem))
    model, out, windows, found, best, evs = _search(problem, connect(problem, x[:16] > 0.01), seconds=5.0,
                                                     flow=False)
    assert found > 0  # this instance's sub-MIP solutions break contiguity
    extra = out.A[model.n_rows:].toarray()
    rhs = out.row_upper[model.n_rows:]
    first = root_start(model)
    on_x, on_root = extra[:, :16], extra[:, first:first + 16]
    adj = adjacency(problem.data).tocsr()
    X = all_selections(16).astype(bool)
    X = X[X.any(axis=1) & connected_all(adj, X)]
    for chunk in np.array_split(X, 16):
        worst_root = np.where(chunk[:, None, :], on_root[None, :, :], -np.inf).max(axis=2)
        assert (chunk @ on_x.T + worst_root <= rhs + 1e-9).all()
    assert len(X) > 100


def test_search_ends_once_the_plan_is_good_enough():
    problem = scp.Problem(random_grid(6, 1)).relative_targets(0.2).contiguity()
    model = compile_problem(problem)
    adj = adjacency(problem.data)
    start = np.ones(36, bool)
    seen = []
    out, windows, found = window_search(
        model, adj, lambda: (start, 1.0), lambda sel: False,
        lambda m, w, o: pipeline._exact(m, "highs", w, o), SolveOptions(gap=0.0),
        lambda sel: violated_cuts(problem, sel, adj, rooted=True), lambda sel: connect(problem, sel),
        NeedsCuts(problem, adj, 36), root_start(model), time.perf_counter() + 10.0,
        enough=lambda objective: seen.append(objective) or True)
    assert windows == 0 and found == 0 and out is model and seen == [1.0]
