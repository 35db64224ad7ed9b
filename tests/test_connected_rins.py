"""The connected neighbourhood search: which units it frees, that everything it keeps is a
verified connected selection no worse than its start, that the cuts it returns are valid for the
whole problem, and that it leaves large neighbourhoods alone."""

from __future__ import annotations

import time

import numpy as np

import scp
from bruteforce import all_selections, connected_all
from scp.data.spatial import adjacency
from scp.model import compile_problem
from scp.solving import pipeline
from scp.solving.backends import SolveOptions
from scp.solving.backends.highs import lp_relaxation
from scp.solving.connect import connect
from scp.solving.connected_rins import MAX_FREE_SHARE, connected_neighbourhood_search
from scp.solving.rins import neighbourhood_model
from scp.solving.cut_loop import NeedsCuts, root_start, violated_cuts
from test_contiguity import grid_data, random_grid


def test_units_near_their_lp_value_are_fixed_to_the_selection():
    problem = scp.Problem(grid_data(2, 3)).relative_targets(0.5).contiguity()
    model = compile_problem(problem)
    point = np.array([0.0, 0.2, 0.9, 1.0, 0.5, 0.31])
    sel = np.array([0, 0, 1, 0, 1, 1], dtype=float)
    sub, free = neighbourhood_model(model, point, sel, tol=0.3)
    lower, upper = sub.col_lower, sub.col_upper
    # |point - sel| = 0, 0.2, 0.1, 1.0, 0.5, 0.69: the first three fixed to the selection
    assert free == 3
    assert lower[:3].tolist() == [0, 0, 1] and upper[:3].tolist() == [0, 0, 1]
    assert (lower[3:6] == 0).all() and (upper[3:6] == 1).all()
    assert (lower[6:] == model.col_lower[6:]).all() and (upper[6:] == model.col_upper[6:]).all()


def _search(problem, start, seconds=20.0, flat_point=False):
    model = compile_problem(problem)
    n = model.n_pu
    adj = adjacency(problem.data)
    x, _ = lp_relaxation(model)
    point = np.full(n, 0.5) if flat_point else x[:n]
    evs = []
    best = [np.asarray(start, bool), scp.evaluate(problem, start).objective]

    def offer(sel):
        ev = scp.evaluate(problem, sel)
        evs.append(ev)
        if ev.feasible and ev.objective < best[1] - 1e-9:
            best[0], best[1] = sel, ev.objective
            return True
        return False

    first = root_start(model)
    out, rounds, found = connected_neighbourhood_search(
        problem, model, point, lambda: (best[0], best[1]), offer,
        lambda m, w, o: pipeline._exact(m, "highs", w, o), SolveOptions(gap=0.0),
        lambda sel: violated_cuts(problem, sel, adj, rooted=True), lambda sel: connect(problem, sel),
        NeedsCuts(problem, adj, n), first, time.perf_counter() + seconds)
    return model, out, rounds, found, best, evs


def test_search_keeps_only_verified_connected_improvements():
    problem = scp.Problem(random_grid(8, 2)).relative_targets(0.2).contiguity()
    # the LP's support meets every target (x <= 1); joined into one piece it is a connected,
    # feasible and poor start near the LP point, so the neighbourhood is small
    x, _ = lp_relaxation(compile_problem(problem))
    start = connect(problem, x[:64] > 0.01)
    assert start is not None and scp.evaluate(problem, start).feasible
    before = scp.evaluate(problem, start).objective
    model, out, rounds, found, best, evs = _search(problem, start)
    assert rounds >= 1
    ev = scp.evaluate(problem, best[0])
    assert ev.feasible and ev.n_patches == 1 and best[1] < before
    assert out.n_rows - model.n_rows >= found >= 0


def test_cuts_it_returns_are_valid_for_every_connected_selection_of_4x4():
    """Every cut the search returns holds for every connected selection of a 4x4 grid with its
    root column at any of its units (each such point is feasible for the model)."""
    problem = scp.Problem(random_grid(4, 1)).relative_targets(0.3).contiguity()
    x, _ = lp_relaxation(compile_problem(problem))
    model, out, rounds, found, best, evs = _search(problem, connect(problem, x[:16] > 0.01), seconds=10.0)
    assert found > 0  # this instance's sub-MIP solutions break contiguity
    extra = out.A[model.n_rows:].toarray()
    rhs = out.row_upper[model.n_rows:]
    first = root_start(model)
    on_x, on_root = extra[:, :16], extra[:, first:first + 16]
    adj = adjacency(problem.data).tocsr()
    X = all_selections(16).astype(bool)
    X = X[X.any(axis=1) & connected_all(adj, X)]
    for chunk in np.array_split(X, 16):  # every connected selection, 16 blocks of rows at once
        # the root at the unit that loads each cut most
        worst_root = np.where(chunk[:, None, :], on_root[None, :, :], -np.inf).max(axis=2)
        assert (chunk @ on_x.T + worst_root <= rhs + 1e-9).all()
    assert len(X) > 100


def test_a_neighbourhood_freeing_most_units_is_not_searched():
    problem = scp.Problem(random_grid(6, 1)).relative_targets(0.2).contiguity()
    start = np.ones(36, bool)
    # a point of 0.5 everywhere is 0.5 from every 0/1 value: nothing within 0.3, all units free
    _, _, rounds, found, best, _ = _search(problem, start, flat_point=True)
    assert 36 > MAX_FREE_SHARE * 36 and rounds == 0 and found == 0 and best[0].all()
