"""Contiguity: the selection forms one connected network (single-commodity flow).

Adjacency is taken from the boundary matrix: units ``i`` and ``j`` are neighbours when
they share an edge (``B_ij > 0``). Every adjacency gets **both** directions, so any
connected selection can be fed along a spanning tree (a formulation that orients each
edge one way rejects connected shapes such as an L on a 3x3 grid).

Mathematical formulation
------------------------
With ``n`` units, arcs ``A`` (both directions of every adjacency), flow ``f_a >= 0``,
supply ``s_i >= 0`` and, in ``mode="selection"``, root indicators ``r_i in {0, 1}``::

    sum_{(j,i) in A} f_ji + s_i - sum_{(i,j) in A} f_ij = x_i     for every unit i  (each selected unit consumes 1)
    f_ij <= (n - 1) x_i,   f_ij <= (n - 1) x_j                       (flow only between selected units)
    s_i <= n r_i,  r_i <= x_i,  sum_i r_i = 1                         (one root, inside the selection)

In ``mode="locked_in"`` there are no root variables: every locked-in unit may supply
(``s_i <= n`` for locked-in ``i``, ``s_i = 0`` otherwise), so every part of the selection must
be joined to a locked-in unit. A selection is feasible if and only if it is connected
(respectively: every connected part of it contains a locked-in unit).

References
----------
Gavish & Graves (1978) single-commodity flow; Williams (2002) Interfaces 32:13-22;
Carvajal et al. (2013) Operations Research 61:290-304 (connectivity in reserve design).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from .data import PlanningData
from .errors import ScenarioError
from .model import ModelBuilder


def adjacency(data: PlanningData) -> sp.csr_matrix:
    """Symmetric 0/1 adjacency of units that share an edge (from the boundary matrix)."""
    if data.boundary is None:
        raise ScenarioError("contiguity needs a boundary matrix (grid data, polygons or a boundary table)",
                            "contiguity")
    B = sp.csr_matrix(data.boundary)
    off = (B - sp.diags(B.diagonal())).tocsr()
    off.eliminate_zeros()
    adj = (off > 0).astype(np.float64).tocsr()
    return adj


def patches(data: PlanningData, selected: np.ndarray) -> np.ndarray:
    """Connected-component label of every selected unit (-1 for unselected units)."""
    sel = np.flatnonzero(selected)
    labels = np.full(data.n_pu, -1, dtype=np.int64)
    if sel.size == 0 or data.boundary is None:
        labels[sel] = np.arange(sel.size)
        return labels
    sub = adjacency(data)[sel][:, sel]
    _, lab = connected_components(sub, directed=False)
    labels[sel] = lab
    return labels


@dataclass(frozen=True)
class Contiguity:
    """The selection is one connected network (``mode="selection"``), or every part of it is
    joined to a locked-in unit (``mode="locked_in"``)."""

    mode: str = "selection"

    def __post_init__(self) -> None:
        if self.mode not in ("selection", "locked_in"):
            raise ScenarioError(f"mode {self.mode!r} must be 'selection' or 'locked_in'", "contiguity.mode")

    def violation(self, data: PlanningData, selected: np.ndarray, locked_in: np.ndarray) -> str | None:
        """A sentence when ``selected`` breaks the constraint, else None."""
        lab = patches(data, selected)
        n_parts = int(lab.max()) + 1 if (lab >= 0).any() else 0
        if self.mode == "selection":
            return None if n_parts <= 1 else f"contiguity: the selection has {n_parts} separate parts"
        anchored = np.unique(lab[locked_in & (lab >= 0)])
        loose = n_parts - anchored.size
        return None if loose == 0 else f"contiguity: {loose} part(s) of the selection touch no locked-in unit"

    def compile(self, b: ModelBuilder, data: PlanningData, x: slice, locked_in: np.ndarray) -> None:
        n = data.n_pu
        A = sp.triu(adjacency(data), k=1).tocoo()
        tail = np.concatenate([A.row, A.col]).astype(np.int64)  # both directions of every edge
        head = np.concatenate([A.col, A.row]).astype(np.int64)
        m = tail.size
        big = float(max(n - 1, 1))
        f = b.add_columns("contiguity_flow", m, lower=0.0, upper=big)
        if self.mode == "selection":
            s = b.add_columns("contiguity_supply", n, lower=0.0, upper=float(n))
            r = b.add_columns("contiguity_root", n, lower=0.0, upper=1.0, integer=True)
        else:
            if not locked_in.any():
                raise ScenarioError("mode 'locked_in' needs at least one locked-in unit", "contiguity.mode")
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
        if self.mode == "selection":
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
