"""Rooted separator cuts violated by a fractional point (the LP relaxation), by maximum flow.

Mathematical formulation
------------------------
Given a point ``(x, r)`` of the relaxation of cut-based contiguity with root columns
(:func:`scp.model.graph.compile_cut_root`), the most violated rooted cut for a unit ``i``,
``x_i - x(S) - r(W) <= 0`` over all separators ``S`` and sides ``W`` of ``i``, is a minimum
``s``-``i`` cut in the node-split graph: every unit ``k`` becomes an arc ``k_in -> k_out`` of
capacity ``x_k``, every adjacency ``{u, v}`` the arcs ``u_out -> v_in`` and ``v_out -> u_in`` of
unbounded capacity, and a source ``s`` gets an arc ``s -> k_in`` of capacity ``r_k``. A finite
cut separating ``s`` from ``i_out`` cuts unit arcs (the separator ``S``) and root arcs (the
side ``W``: the units whose ``k_in`` the source does not reach), so the maximum flow value is
``min_(S, W) x(S) + r(W)``; the cut is violated when that value is below ``x_i``. Components of
the support ``{x > t}`` for a few thresholds ``t`` give cheap cuts too (``S = N(C)``, ``W = C``).

Capacities are scaled to integers (``SCALE``) for :func:`scipy.sparse.csgraph.maximum_flow`; a
cut is kept only when violated by more than ``MIN_VIOLATION`` in the unscaled values, so rounding
cannot produce an invalid cut (every cut of this form is valid; rounding only decides which are
reported).

References
----------
Fischetti, Leitner, Ljubic, Luipersbeck, Monaci, Resch, Salvagnin & Sinnl (2017) Mathematical
Programming Computation 9:203-229 (node-separator cuts separated by maximum flow on the
node-split graph); Alvarez-Miranda, Ljubic & Mutzel (2013) The maximum weight connected subgraph
problem, in Facets of Combinatorial Optimization, Springer, 245-270 (root variables).
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, connected_components, maximum_flow

from .cuts import Cut

SCALE = 1_000_000
"""Flow capacities are ``round(SCALE * value)``."""
MIN_VIOLATION = 1e-3
"""A cut is reported when the point violates it by more than this."""
THRESHOLDS = (1e-4, 0.1, 0.5, 0.9)
"""Support thresholds whose components give cheap cuts."""
_UNBOUNDED = 2 ** 30


def component_cuts(adj: sp.csr_matrix, x: np.ndarray, r: np.ndarray) -> list[Cut]:
    """Rooted cuts ``x_i - x(N(C)) - r(C) <= 0`` for the components ``C`` of ``{x > t}`` (``i``
    the unit of ``C`` with the largest ``x``), kept when violated."""
    n = x.shape[0]
    adj_bool = (adj != 0).astype(np.int8).tocsr()
    cuts: list[Cut] = []
    for t in THRESHOLDS:
        support = np.flatnonzero(x > t)
        if support.size == 0:
            continue
        k, lab = connected_components(adj[support][:, support], directed=False)
        for c in range(k):
            members = support[lab == c]
            in_c = np.zeros(n, dtype=bool)
            in_c[members] = True
            nbr = np.flatnonzero((np.asarray(adj_bool @ in_c.astype(np.int8)).ravel() > 0) & ~in_c)
            i = int(members[np.argmax(x[members])])
            if x[i] - x[nbr].sum() - r[members].sum() > MIN_VIOLATION:
                cuts.append(Cut(i, None, nbr, members))
    return cuts


def flow_cuts(adj: sp.csr_matrix, x: np.ndarray, r: np.ndarray, stop_at: float | None = None,
              min_x: float = 0.05, max_units: int = 400) -> list[Cut]:
    """The most violated rooted cut of each unit with ``x_i > min_x`` (largest ``x`` first, at
    most ``max_units`` maximum flows) whose minimum cut is below ``x_i`` (module docstring).
    ``stop_at`` (a :func:`time.perf_counter` value) ends the search early."""
    n = x.shape[0]
    tail, head = sp.triu(adj, k=1).nonzero()
    tail, head = np.concatenate([tail, head]), np.concatenate([head, tail])
    src = 2 * n
    rows = np.concatenate([np.arange(n), n + tail, np.full(n, src)])
    cols = np.concatenate([n + np.arange(n), head, np.arange(n)])
    caps = np.concatenate([np.round(np.clip(x, 0, 1) * SCALE), np.full(tail.size, _UNBOUNDED),
                           np.round(np.clip(r, 0, 1) * SCALE)]).astype(np.int32)
    graph = sp.csr_matrix((caps, (rows, cols)), shape=(2 * n + 1, 2 * n + 1))
    graph.sum_duplicates()
    cuts: list[Cut] = []
    flows = 0
    for i in np.argsort(-x, kind="stable"):
        if x[i] <= min_x or flows >= max_units:
            break
        if stop_at is not None and time.perf_counter() >= stop_at:
            break
        flows += 1
        res = maximum_flow(graph, src, n + int(i))
        if res.flow_value / SCALE >= x[i] - MIN_VIOLATION:
            continue
        residual = graph - res.flow
        residual.data[residual.data < 0] = 0
        residual.eliminate_zeros()
        reached = np.zeros(2 * n + 1, dtype=bool)
        reached[breadth_first_order(residual, src, return_predecessors=False)] = True
        sep = np.flatnonzero(reached[:n] & ~reached[n:2 * n])
        side = np.flatnonzero(~reached[:n])
        if x[i] - x[sep].sum() - r[side].sum() > MIN_VIOLATION:  # checked in exact arithmetic
            cuts.append(Cut(int(i), None, sep, side))
    return cuts
