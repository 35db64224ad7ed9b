"""The growing LP of cut rounds (scp/solving/backends/highs_lp.py): hot-started solves equal
fresh ones, dropped rows leave a relaxation, bounds are valid."""

from __future__ import annotations

import numpy as np
import pytest

import scp
from scp.data.spatial import adjacency
from scp.model import compile_problem
from scp.model.cuts import cut_rows
from scp.model.model import with_rows
from scp.model.root_separation import component_cuts, flow_cuts
from scp.solving.backends.highs import lp_relaxation
from scp.solving.backends.highs_lp import GrowingLP
from scp.solving.cut_loop import root_start
from test_contiguity import random_grid


def _grid(side: int, seed: int):
    data = random_grid(side, seed)
    problem = scp.Problem(data).relative_targets(0.2).contiguity()
    return problem, compile_problem(problem), adjacency(data)


def _has_scip() -> bool:
    try:
        import pyscipopt  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.parametrize("seed", range(3))
def test_hot_started_rounds_equal_fresh_solves(seed):
    problem, model, adj = _grid(8, seed)
    first, n = root_start(model), model.n_pu
    lp = GrowingLP(model)
    fresh = model
    previous = -np.inf
    for _ in range(4):
        x, bound = lp.solve()
        x_ref, bound_ref = lp_relaxation(fresh)
        assert x is not None and x_ref is not None
        assert bound == pytest.approx(bound_ref, rel=1e-6, abs=1e-6)
        assert bound >= previous - 1e-6  # more rows: the bound never drops (nothing dropped yet)
        previous = bound
        cuts = component_cuts(adj, x[:n], x[first:first + n]) + flow_cuts(adj, x[:n], x[first:first + n])
        if not cuts:
            break
        rows, rhs = cut_rows(cuts, model.n_cols, first)
        lp.add_cuts(rows, rhs)
        fresh = with_rows(fresh, "cuts", rows, -np.inf, rhs)
    assert lp.n_cuts == fresh.n_rows - model.n_rows > 0
    assert lp.model().n_rows == fresh.n_rows


def test_dropping_slack_rows_keeps_a_relaxation():
    problem, model, adj = _grid(7, 1)
    first, n = root_start(model), model.n_pu
    lp = GrowingLP(model)
    bounds = []
    dropped = 0
    for _ in range(6):
        x, bound = lp.solve()
        bounds.append(bound)
        dropped += lp.drop_slack_cuts(x, min_age=1)
        cuts = component_cuts(adj, x[:n], x[first:first + n]) + flow_cuts(adj, x[:n], x[first:first + n])
        if not cuts:
            break
        lp.add_cuts(*cut_rows(cuts, model.n_cols, first))
    x, bound = lp.solve()
    # the rows left are a subset of valid cuts: the LP with them is a relaxation of the MILP, and
    # it agrees with a fresh solve of the model it reports
    assert dropped > 0
    assert bound == pytest.approx(lp_relaxation(lp.model())[1], rel=1e-6, abs=1e-6)
    sol = problem.solve("scip" if _has_scip() else "highs", time_limit=60)
    assert sol.status is scp.Status.OPTIMAL
    assert max(bounds + [bound]) <= sol.objective + 1e-6
