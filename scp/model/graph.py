"""Formulations of the graph constraints (see :mod:`scp.problem.graph` for the mathematics and
references): single-commodity flow for contiguity, neighbour counts, unit flow for corridors.
Adjacency comes from the boundary matrix (or the grid, for 8 neighbours)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..data import PlanningData
from ..data.spatial import adjacency
from ..errors import ScenarioError
from ..problem.graph import Contiguity, Corridor, FeatureContiguity, Neighbours
from .model import ModelBuilder


def compile_contiguity(c: Contiguity, b: ModelBuilder, data: PlanningData, x: slice, locked_in: np.ndarray,
                       root_units: np.ndarray | None = None) -> None:
    """Single-commodity flow over both directions of every adjacency (tags ``"contiguity:*"``).

    For ``method="cuts"`` the cut loop of :mod:`scp.solving.cut_loop` adds separator cuts as the
    solutions need them; in mode ``"selection"`` the model gets the root columns those cuts use
    (:func:`compile_cut_root`), in mode ``"locked_in"`` nothing (the locked-in units are the root).
    In mode ``"selection"`` the root is fixed on a unit every feasible selection holds, when there
    is one (``root_units``, from :func:`scp.model.presolve.necessary_units`; by default the
    locked-in units; :func:`root_bounds`).
    """
    root_units = locked_in if root_units is None else root_units
    if c.mode == "locked_in" and not locked_in.any():
        raise ScenarioError("mode 'locked_in' needs at least one locked-in unit", "contiguity.mode")
    if c.method == "cuts":
        if c.mode == "selection":
            compile_cut_root(b, data.n_pu, x, root_units)
        return
    n = data.n_pu
    A = sp.triu(adjacency(data), k=1).tocoo()
    tail = np.concatenate([A.row, A.col]).astype(np.int64)  # both directions of every edge
    head = np.concatenate([A.col, A.row]).astype(np.int64)
    m = tail.size
    big = float(max(n - 1, 1))
    f = b.add_columns("contiguity_flow", m, lower=0.0, upper=big)
    if c.mode == "selection":
        s = b.add_columns("contiguity_supply", n, lower=0.0, upper=float(n))
        lower, upper = root_bounds(n, root_units)
        r = b.add_columns("contiguity_root", n, lower=lower, upper=upper, integer=True)
    else:
        s = b.add_columns("contiguity_supply", n, lower=0.0, upper=np.where(locked_in, float(n), 0.0))
    width = b.n_cols
    k = np.arange(m)
    units = np.arange(n)
    # balance: inflow + supply - outflow - x_i = 0
    rows = np.concatenate([head, tail, units, units])
    cols = np.concatenate([f.start + k, f.start + k, s.start + units, x.start + units])
    vals = np.concatenate([np.ones(m), -np.ones(m), np.ones(n), -np.ones(n)])
    b.add_rows("contiguity:balance", sp.csr_matrix((vals, (rows, cols)), shape=(n, width)), 0.0, 0.0)
    for tag, end in (("contiguity:cap_tail", tail), ("contiguity:cap_head", head)):
        block = sp.csr_matrix((np.concatenate([np.ones(m), -big * np.ones(m)]),
                               (np.concatenate([k, k]), np.concatenate([f.start + k, x.start + end]))),
                              shape=(m, width))
        b.add_rows(tag, block, -np.inf, 0.0)
    if c.mode == "selection":
        sup = sp.csr_matrix((np.concatenate([np.ones(n), -float(n) * np.ones(n)]),
                             (np.concatenate([units, units]), np.concatenate([s.start + units, r.start + units]))),
                            shape=(n, width))
        b.add_rows("contiguity:supply", sup, -np.inf, 0.0)
        inside = sp.csr_matrix((np.concatenate([np.ones(n), -np.ones(n)]),
                                (np.concatenate([units, units]), np.concatenate([r.start + units, x.start + units]))),
                               shape=(n, width))
        b.add_rows("contiguity:root_selected", inside, -np.inf, 0.0)
        one = sp.csr_matrix((np.ones(n), (np.zeros(n, dtype=np.int64), r.start + units)), shape=(1, width))
        b.add_rows("contiguity:one_root", one, 1.0, 1.0)


def compile_cut_root(b: ModelBuilder, n: int, x: slice, root_units: np.ndarray | None = None) -> None:
    """Root columns for cut-based contiguity of the whole selection (tag ``"contiguity_root"``).

    One continuous ``r_k in [0, 1]`` per unit with ``r_k <= x_k`` and ``sum_k r_k <= 1``: the
    root of the network sits on a selected unit. The cuts of :mod:`scp.model.cuts` then read
    ``x_i <= sum_(k in S) x_k + sum_(k in W) r_k`` for every vertex separator ``S`` and the side
    ``W`` of ``i`` (a connected selection with its root on one of its units satisfies them all;
    a selection of several parts cannot, since each part without the root violates its own).
    This rooted form is far stronger in the LP relaxation than ``x_i + x_j - 1 <= x(S)``, which
    holds trivially whenever ``x_i + x_j <= 1`` (the root-variable form used for the maximum-weight
    connected subgraph by Alvarez-Miranda, Ljubic & Mutzel 2013, and by Fischetti et al. 2017).
    With ``root_units`` (units every feasible selection holds) the root is fixed on one of them
    (:func:`root_bounds`).
    """
    lower, upper = root_bounds(n, root_units)
    r = b.add_columns("contiguity_root", n, lower=lower, upper=upper)
    units = np.arange(n)
    width = b.n_cols
    inside = sp.csr_matrix((np.concatenate([np.ones(n), -np.ones(n)]),
                            (np.concatenate([units, units]), np.concatenate([r.start + units, x.start + units]))),
                           shape=(n, width))
    b.add_rows("contiguity:root_selected", inside, -np.inf, 0.0)
    one = sp.csr_matrix((np.ones(n), (np.zeros(n, dtype=np.int64), r.start + units)), shape=(1, width))
    b.add_rows("contiguity:one_root", one, -np.inf, 1.0)


def root_bounds(n: int, root_units: np.ndarray | None) -> tuple[np.ndarray | float, np.ndarray | float]:
    """Bounds of the root columns: ``[0, 1]``, or ``r_u = 1`` on the first of ``root_units`` (units
    every feasible selection holds: locked in, or needed for a target) and ``r_k = 0`` elsewhere.

    Every selection that satisfies the contiguity of the whole selection holds ``u`` and is
    connected, so ``r = e_u`` is a valid root for all of them: fixing it removes no
    feasible selection, while the LP relaxation loses the freedom to spread the root over the
    fractional parts far from the reserves (the cuts then read ``x_i <= x(S)`` for every vertex
    separator ``S`` between ``i`` and ``u``, the rooted cuts of the fixed-root Steiner problem).
    """
    if root_units is None or not np.any(root_units):
        return 0.0, 1.0
    fixed = np.zeros(n)
    fixed[int(np.flatnonzero(root_units)[0])] = 1.0
    return fixed, fixed.copy()


def compile_neighbours(c: Neighbours, b: ModelBuilder, data: PlanningData, x: slice, locked_in: np.ndarray) -> None:
    """``sum_{j in N(i)} x_j - k_i x_i >= 0`` for every unit (tag ``"neighbours"``; ``k_i = k``, or
    ``min(k, deg_i)`` when clamped)."""
    adj = adjacency(data, c.neighbours)
    block = (adj - sp.diags(c.required(data))).tocsr()
    if x.start:
        block = sp.hstack([sp.csr_matrix((data.n_pu, x.start)), block], format="csr")
    b.add_rows("neighbours", block, 0.0, np.inf)


def compile_corridor(c: Corridor, b: ModelBuilder, data: PlanningData, x: slice, locked_in: np.ndarray) -> None:
    """A unit flow from the source area to the sink area through selected units; the chain's
    resistance is charged to the objective with the corridor's weight (tags ``"corridor:NAME:*"``)."""
    n = data.n_pu
    r = c._r(n)
    tag = f"corridor:{c.name}"
    A = sp.triu(adjacency(data, c.neighbours), k=1).tocoo()
    tail = np.concatenate([A.row, A.col]).astype(np.int64)
    head = np.concatenate([A.col, A.row]).astype(np.int64)
    m = tail.size
    src, snk = np.flatnonzero(c.source), np.flatnonzero(c.sink)
    f = b.add_columns(f"{tag}:flow", m, lower=0.0, upper=1.0, cost=c.weight * r[head])
    s = b.add_columns(f"{tag}:source", src.size, lower=0.0, upper=1.0, cost=c.weight * r[src])
    t = b.add_columns(f"{tag}:sink", snk.size, lower=0.0, upper=1.0)
    width = b.n_cols
    k = np.arange(m)
    rows = np.concatenate([head, tail, src, snk])
    cols = np.concatenate([f.start + k, f.start + k, s.start + np.arange(src.size), t.start + np.arange(snk.size)])
    vals = np.concatenate([np.ones(m), -np.ones(m), np.ones(src.size), -np.ones(snk.size)])
    b.add_rows(f"{tag}:balance", sp.csr_matrix((vals, (rows, cols)), shape=(n, width)), 0.0, 0.0)
    for part, cols_, size in (("source", s, src.size), ("sink", t, snk.size)):
        one = sp.csr_matrix((np.ones(size), (np.zeros(size, dtype=np.int64), cols_.start + np.arange(size))),
                            shape=(1, width))
        b.add_rows(f"{tag}:{part}_total", one, 1.0, 1.0)
    # capacities: flow only through selected units
    caps = [(f, k, tail, m, "cap_tail"), (f, k, head, m, "cap_head"),
            (s, np.arange(src.size), src, src.size, "cap_source"), (t, np.arange(snk.size), snk, snk.size, "cap_sink")]
    for cols_, idx, unit, size, name in caps:
        rr = np.arange(size)
        block = sp.csr_matrix((np.concatenate([np.ones(size), -np.ones(size)]),
                               (np.concatenate([rr, rr]), np.concatenate([cols_.start + idx, x.start + unit]))),
                              shape=(size, width))
        b.add_rows(f"{tag}:{name}", block, -np.inf, 0.0)


def compile_feature_contiguity(c: FeatureContiguity, b: ModelBuilder, data: PlanningData, x: slice,
                               locked_in: np.ndarray) -> None:
    """Nothing: feature contiguity is enforced by separator cuts in the cut loop."""


GRAPH_FORMULATIONS = {Contiguity: compile_contiguity, FeatureContiguity: compile_feature_contiguity, Neighbours: compile_neighbours, Corridor: compile_corridor}
"""The formulation of each graph constraint type: ``f(constraint, builder, data, x, locked_in)``."""
