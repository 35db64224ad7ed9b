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
side ``W``), so the maximum flow value is ``min_(S, W) x(S) + r(W)``; the cut is violated when
that value is below ``x_i``. Components of the support ``{x > t}`` for a few thresholds ``t``
give cheap cuts too (``S = N(C)``, ``W = C``).

Of the minimum cuts the one nearest ``i`` is taken (the nodes that still reach ``i_out`` in the
residual graph), then tightened: ``W`` becomes the component of ``i`` once ``S`` is removed and
``S`` its neighbours ``N(W)`` (a minimal separator; :func:`sink_side_cut`). Such a cut is a
ring close to ``i``; the LP answers it with a little more ``x`` on that ring and the next
round finds the next ring. Nested cuts find several rings per round: after each cut its
separator's arcs get capacity 1 (a full unit, so that cut is no longer violated) and the flow
is solved again (Fischetti et al. 2017, Section 4; Koch & Martin 1998 for Steiner trees).
Cuts whose side ``W`` is large are written in the complement form of :mod:`scp.model.cuts`
when the point violates that form too (fewer nonzeros in the LP).

Capacities are scaled to integers (``SCALE``) for :func:`scipy.sparse.csgraph.maximum_flow`; a
cut is kept only when violated by more than ``MIN_VIOLATION`` in the unscaled values, so rounding
cannot produce an invalid cut (every cut of this form is valid; rounding only decides which are
reported).

References
----------
Fischetti, Leitner, Ljubic, Luipersbeck, Monaci, Resch, Salvagnin & Sinnl (2017) Mathematical
Programming Computation 9:203-229 (node-separator cuts separated by maximum flow on the
node-split graph, nested cuts); Koch & Martin (1998) Networks 32:207-232 (nested cuts for
Steiner trees); Alvarez-Miranda, Ljubic & Mutzel (2013) The maximum weight connected subgraph
problem, in Facets of Combinatorial Optimization, Springer, 245-270 (root variables).
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, connected_components, maximum_flow

from .cuts import Cut, outer_neighbours, unit_graph

SCALE = 1_000_000
"""Flow capacities are ``round(SCALE * value)``."""
MIN_VIOLATION = 1e-3
"""A cut is reported when the point violates it by more than this."""
THRESHOLDS = (1e-4, 0.1, 0.5, 0.9)
"""Support thresholds whose components give cheap cuts."""
NESTED = 5
"""Nested cuts per unit and round (:func:`flow_cuts`)."""
_UNBOUNDED = 2 ** 30


def component_cuts(adj: sp.csr_matrix, x: np.ndarray, r: np.ndarray) -> list[Cut]:
    """Rooted cuts ``x_i - x(N(C)) - r(C) <= 0`` for the components ``C`` of ``{x > t}`` (``i``
    the unit of ``C`` with the largest ``x``), kept when violated."""
    n = x.shape[0]
    adj_bool = unit_graph(adj)
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
            nbr = np.flatnonzero(outer_neighbours(adj_bool, in_c))
            i = int(members[np.argmax(x[members])])
            if x[i] - x[nbr].sum() - r[members].sum() > MIN_VIOLATION:
                cuts.append(Cut(i, None, nbr, members).compact(n, x, r, MIN_VIOLATION))
    return cuts


def sink_side_cut(graph: sp.csr_matrix, i: int, separator: np.ndarray) -> Cut | None:
    """The rooted cut of unit ``i`` for a vertex separator: ``W`` the component of ``i`` once
    ``separator`` is removed, ``S = N(W)`` (the part of the separator next to ``W``; a minimal
    separator of ``W``). Valid for every ``separator`` not holding ``i``: a connected selection
    holding ``i`` and a root outside ``W`` has a path from the root to ``i``, which leaves ``W``
    through ``N(W)``. ``graph``: the adjacency as :func:`scp.model.cuts.unit_graph` gives it.
    None when ``i`` is in ``separator``."""
    n = graph.shape[0]
    keep = np.ones(n, dtype=bool)
    keep[separator] = False
    if not keep[i]:
        return None
    mask = sp.diags(keep.astype(np.int8), dtype=np.int8)
    side = breadth_first_order(mask @ graph @ mask, i, directed=False, return_predecessors=False)
    in_side = np.zeros(n, dtype=bool)
    in_side[side] = True
    return Cut(i, None, np.flatnonzero(outer_neighbours(graph, in_side)), np.sort(side))


def flow_cuts(adj: sp.csr_matrix, x: np.ndarray, r: np.ndarray, stop_at: float | None = None,
              min_x: float = 0.05, max_units: int = 400, nested: int = NESTED) -> list[Cut]:
    """The most violated rooted cut of each unit with ``x_i > min_x`` whose minimum cut is below
    ``x_i`` (module docstring), at most ``max_units`` maximum flows: first the largest-``x`` unit of
    each component of ``{x > min_x}``, then the others by decreasing ``x``. After each cut its
    separator's capacities are raised to 1 and the flow is solved again, up to ``nested`` cuts
    per unit (nested cuts: rings further from ``i``, which a single sink-side cut would leave to
    later rounds). ``stop_at`` (a :func:`time.perf_counter` value) ends the search early."""
    n = x.shape[0]
    tail, head = sp.triu(adj, k=1).nonzero()
    tail, head = np.concatenate([tail, head]), np.concatenate([head, tail])
    src = 2 * n
    rows = np.concatenate([np.arange(n), n + tail, np.full(n, src)])
    cols = np.concatenate([n + np.arange(n), head, np.arange(n)])
    caps = np.concatenate([np.round(np.clip(x, 0, 1) * SCALE), np.full(tail.size, _UNBOUNDED),
                           np.round(np.clip(r, 0, 1) * SCALE)]).astype(np.int32)
    base = sp.csr_matrix((caps, (rows, cols)), shape=(2 * n + 1, 2 * n + 1))
    base.sum_duplicates()
    unit_arc = _unit_arc_positions(base, n)
    adj_bool = unit_graph(adj)
    cuts: list[Cut] = []
    flows = 0
    for i in _separation_order(adj, x, min_x):
        if flows >= max_units or (stop_at is not None and time.perf_counter() >= stop_at):
            break
        graph = base.copy()
        for _ in range(nested):
            flows += 1
            res = maximum_flow(graph, src, n + int(i))
            if res.flow_value / SCALE >= x[i] - MIN_VIOLATION:
                break
            residual = graph - res.flow
            residual.data[residual.data < 0] = 0
            residual.eliminate_zeros()
            to_sink = np.zeros(2 * n + 1, dtype=bool)  # nodes that still reach i_out: the sink side
            to_sink[breadth_first_order(residual.T.tocsr(), n + int(i), return_predecessors=False)] = True
            separator = np.flatnonzero(to_sink[n:2 * n] & ~to_sink[:n])
            cut = sink_side_cut(adj_bool, int(i), separator)
            if cut is None:
                break
            if cut.lhs(x, r) > MIN_VIOLATION:
                cuts.append(cut.compact(n, x, r, MIN_VIOLATION))  # checked in exact arithmetic
            graph.data[unit_arc[separator]] = SCALE  # this ring now carries a full unit
    return cuts


def _unit_arc_positions(graph: sp.csr_matrix, n: int) -> np.ndarray:
    """Index into ``graph.data`` of each unit's arc ``k_in -> k_out``."""
    pos = np.empty(n, dtype=np.int64)
    for_rows = np.repeat(np.arange(graph.shape[0]), np.diff(graph.indptr))
    hit = (for_rows[: graph.indptr[n]] == graph.indices[: graph.indptr[n]] - n)
    pos[for_rows[: graph.indptr[n]][hit]] = np.flatnonzero(hit)
    return pos


def _separation_order(adj: sp.csr_matrix, x: np.ndarray, min_x: float) -> np.ndarray:
    """Units with ``x > min_x``: the largest-``x`` unit of each component of that support first
    (every piece gets a flow), then the rest, each group by decreasing ``x``."""
    support = np.flatnonzero(x > min_x)
    if support.size == 0:
        return support
    _, lab = connected_components(adj[support][:, support], directed=False)
    by_x = np.argsort(-x[support], kind="stable")
    first = np.zeros(support.size, dtype=bool)
    _, heads = np.unique(lab[by_x], return_index=True)
    first[by_x[heads]] = True
    return np.concatenate([support[by_x][first[by_x]], support[by_x][~first[by_x]]])
