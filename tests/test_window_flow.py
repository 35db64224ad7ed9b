"""The window's flow rows: for every way to fill a window of a small grid, a flow exists exactly
when the whole selection is connected (brute force, each case an LP); the flow built for a
connected selection satisfies the rows; no rows without a selected unit outside the window."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

import scp
from bruteforce import all_selections, connected_all
from scp.data.spatial import adjacency
from scp.model import compile_problem
from scp.model.window_flow import contracted_edges, window_flow, window_flow_start
from test_contiguity import grid_data


def _flow_feasible(model, x: np.ndarray) -> bool:
    """Whether the window's flow rows hold for the units' values ``x`` (an LP over the flow)."""
    cols = model.cols("window_flow")
    rows = np.concatenate([np.arange(model.rows(t).start, model.rows(t).stop)
                           for t in ("window_flow:balance", "window_flow:capacity")])
    A = model.A[rows]
    fixed = A[:, : model.n_pu] @ x
    F = A[:, cols].toarray()
    lo, up = model.row_lower[rows] - fixed, model.row_upper[rows] - fixed
    eq = np.isfinite(lo) & (lo == up)
    res = linprog(np.zeros(F.shape[1]), A_ub=F[~eq], b_ub=up[~eq], A_eq=F[eq], b_eq=lo[eq],
                  bounds=list(zip(model.col_lower[cols], model.col_upper[cols])), method="highs")
    return res.status == 0


def test_a_flow_exists_exactly_when_the_selection_is_connected():
    data = grid_data(4, 4)
    adj = adjacency(data).tocsr()
    model = compile_problem(scp.Problem(data).relative_targets(0.2).contiguity())
    rng = np.random.default_rng(3)
    checked = disconnected = 0
    for trial in range(6):
        selection = rng.random(16) < 0.5
        inside = np.zeros(16, bool)
        inside[rng.choice(16, 6, replace=False)] = True
        if not (selection & ~inside).any():
            continue
        flowed = window_flow(model, adj, inside, selection)
        for fill in all_selections(6).astype(bool):
            x = selection.copy()
            x[inside] = fill
            connected = bool(connected_all(adj, x[None, :])[0])
            assert _flow_feasible(flowed, x.astype(float)) == connected
            start = window_flow_start(flowed, x)
            assert (start is not None) == connected
            if start is not None:  # the flow it builds satisfies the rows
                full = np.zeros(flowed.n_cols)
                full[:16] = x
                full[flowed.cols("window_flow")] = start
                rows = np.concatenate([np.arange(flowed.rows(t).start, flowed.rows(t).stop)
                                       for t in ("window_flow:balance", "window_flow:capacity")])
                act = flowed.A[rows] @ full
                assert (act >= flowed.row_lower[rows] - 1e-9).all() and (act <= flowed.row_upper[rows] + 1e-9).all()
            checked += 1
            disconnected += not connected
    assert checked >= 5 * 64 and 0 < disconnected < checked


def test_contracted_graph_joins_window_units_to_the_fixed_parts_they_touch():
    adj = adjacency(grid_data(1, 5))  # a path 0-1-2-3-4
    inside = np.array([0, 1, 0, 1, 0], bool)
    a, b, units, lab = contracted_edges(adj, inside, np.array([1, 0, 1, 0, 1], bool))
    # nodes: window units 1, 3 as 0, 1; parts {0}, {2}, {4} as 2, 3, 4
    assert units.tolist() == [1, 3] and lab.tolist() == [0, -1, 1, -1, 2]
    assert sorted(zip(a.tolist(), b.tolist())) == [(0, 2), (0, 3), (1, 3), (1, 4)]


def test_nothing_is_added_when_every_selected_unit_is_in_the_window():
    data = grid_data(3, 3)
    model = compile_problem(scp.Problem(data).relative_targets(0.2).contiguity())
    inside = np.zeros(9, bool)
    inside[:5] = True
    sel = np.zeros(9, bool)
    sel[[0, 1]] = True
    assert window_flow(model, adjacency(data), inside, sel) is model
