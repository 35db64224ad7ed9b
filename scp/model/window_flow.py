"""Contiguity of a selection that changes only inside a window: a single-commodity flow on the
window with the fixed parts of the selection contracted (the exact connectivity rows of the
window search, :mod:`scp.solving.connected_windows`).

Mathematical formulation
------------------------
Let ``W`` be the units free to change (the window), ``x^0`` the selection outside it (fixed) and
``K_1 .. K_m`` the components of ``{i not in W : x^0_i = 1}`` in the adjacency graph ``G``. A
selection equal to ``x^0`` outside ``W`` is connected exactly when the contracted graph ``H``
(nodes: the units of ``W`` and one node per ``K_j``; edges: those of ``G`` within ``W`` and
``{w, K_j}`` when ``w`` touches ``K_j``; no two ``K_j`` touch, being different components) is
connected on its selected window units and all of ``K_1 .. K_m``: every ``K_j`` is connected
within itself, so a path in ``H`` expands to a path in ``G``.

With the root ``K_1`` (the part holding the model's fixed root, else the largest), flow columns
``f_a >= 0`` on both directions of every edge of ``H`` and ``M = |W| + m - 1``::

    sum_(a into v) f_a - sum_(a out of v) f_a = x_v      for v in W
    sum_(a into K_j) f_a - sum_(a out of K_j) f_a = 1    for j = 2 .. m
    f_a <= M x_v   for every arc a into or out of a window unit v

(Gavish & Graves 1978 single-commodity flow; the flow formulation of :mod:`scp.model.graph`
on the contracted graph). Every window unit with ``x_v = 1`` and every ``K_j`` receives a unit
of flow from ``K_1`` along arcs through selected units only, so a solution is connected; a
connected selection routes its flow along a spanning tree of ``H``. With ``m = 0`` (the whole
selection inside the window) no rows are written: the caller's cuts apply.

References
----------
Gavish & Graves (1978) The travelling salesman problem and related problems, MIT Operations
Research Center working paper OR 078-78; Carvajal et al. (2013) Operations Research 61:290-304
(flow-based contiguity in forest planning).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order
from scipy.sparse.linalg import spsolve_triangular

from ..data.spatial import parts
from .model import Block, Model, with_rows


def contracted_edges(adj: sp.csr_matrix, inside: np.ndarray, outside_selected: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The undirected edges of ``H`` (module docstring) as node pairs ``(a, b)``, nodes numbered
    window units first (in unit order), then the parts ``K_j``; returns ``(a, b, window units,
    part label of every unit)`` (-1 for units in no part)."""
    units = np.flatnonzero(inside)
    node = np.full(inside.shape[0], -1, dtype=np.int64)
    node[units] = np.arange(units.size)
    lab = parts(adj, outside_selected)
    outer = lab >= 0
    node[outer] = units.size + lab[outer]
    g = sp.triu(adj, k=1).tocoo() if adj.nnz else sp.coo_matrix(adj.shape)
    u, v = node[g.row], node[g.col]
    keep = (u >= 0) & (v >= 0) & (inside[g.row] | inside[g.col])
    pairs = np.unique(np.sort(np.stack([u[keep], v[keep]]), axis=0), axis=1)
    return pairs[0], pairs[1], units, lab


def window_flow(model: Model, adj: sp.csr_matrix, inside: np.ndarray, selection: np.ndarray,
                root_unit: int | None = None) -> Model:
    """``model`` with the flow columns and rows of the module docstring for the window ``inside``
    (a mask of units) around ``selection`` (0/1 over the units, kept outside the window; the
    caller fixes those columns). ``root_unit`` picks the root part (the one holding it, when it is
    outside the window), else the largest part is the root. Unchanged when no selected unit lies
    outside the window."""
    n = model.n_pu
    sel = np.asarray(selection, dtype=bool)[:n]
    outside_selected = sel & ~inside
    a, b, units, lab = contracted_edges(adj, inside, outside_selected)
    m = int(lab.max()) + 1
    if m == 0:
        return model
    q = units.size
    if root_unit is not None and lab[root_unit] >= 0:
        root = int(lab[root_unit])
    else:
        root = int(np.argmax(np.bincount(lab[lab >= 0], minlength=m)))
    tail, head = np.concatenate([a, b]), np.concatenate([b, a])  # both directions of every edge
    k = tail.size
    big = float(q + m - 1)
    start = model.n_cols
    width = start + k
    arcs = np.arange(k)
    # balance rows for every node of H but the root: inflow - outflow (- x_v for window units)
    nodes = np.delete(np.arange(q + m), q + root)
    row_of = np.full(q + m, -1, dtype=np.int64)
    row_of[nodes] = np.arange(nodes.size)
    into, out_of = row_of[head] >= 0, row_of[tail] >= 0
    win_nodes = nodes[nodes < q]
    rows = np.concatenate([row_of[head][into], row_of[tail][out_of], row_of[win_nodes]])
    cols = np.concatenate([start + arcs[into], start + arcs[out_of], units[win_nodes]])
    vals = np.concatenate([np.ones(int(into.sum())), -np.ones(int(out_of.sum())), -np.ones(win_nodes.size)])
    balance = sp.csr_matrix((vals, (rows, cols)), shape=(nodes.size, width))
    rhs = np.where(nodes < q, 0.0, 1.0)
    # capacities: an arc into or out of a window unit carries flow only when that unit is selected
    ends = [(arcs[head < q], head[head < q]), (arcs[tail < q], tail[tail < q])]
    caps = []
    for arc, end in ends:
        r = np.arange(arc.size)
        caps.append(sp.csr_matrix((np.concatenate([np.ones(arc.size), -big * np.ones(arc.size)]),
                                   (np.concatenate([r, r]), np.concatenate([start + arc, units[end]]))),
                                  shape=(arc.size, width)))
    widened = dataclasses.replace(
        model, c=np.concatenate([model.c, np.zeros(k)]),
        A=sp.hstack([model.A, sp.csr_matrix((model.n_rows, k))], format="csr"),
        col_lower=np.concatenate([model.col_lower, np.zeros(k)]),
        col_upper=np.concatenate([model.col_upper, np.full(k, big)]),
        integrality=np.concatenate([model.integrality, np.zeros(k, dtype=model.integrality.dtype)]),
        col_blocks=model.col_blocks + (Block("window_flow", start, width),),
        info={**model.info, "window_flow": (tail, head, units, q + root, q + m)})
    out = with_rows(widened, "window_flow:balance", balance, rhs, rhs)
    return with_rows(out, "window_flow:capacity", sp.vstack(caps, format="csr"), -np.inf, 0.0)


def window_flow_start(model: Model, selection: np.ndarray) -> np.ndarray | None:
    """Flow values of :func:`window_flow`'s columns for a connected ``selection`` (equal to the
    window's fixed selection outside it): along a breadth-first tree of ``H`` from the root, each
    arc carries the demand of the subtree it enters. None when the selection is not connected in
    ``H`` (no such flow exists)."""
    tail, head, units, root, size = model.info["window_flow"]
    q = units.size
    on = np.ones(size, dtype=bool)
    on[:q] = np.asarray(selection, dtype=bool)[units]
    use = on[tail] & on[head]
    graph = sp.csr_matrix((np.ones(int(use.sum())), (tail[use], head[use])), shape=(size, size))
    order, pred = breadth_first_order(graph, root, directed=True, return_predecessors=True)
    if order.size != int(on.sum()):
        return None
    demand = on.astype(np.float64)
    demand[root] = 0.0
    # subtree sums s = d + C s, C[parent, child] = 1, solved as a triangular system in the tree's
    # breadth-first order (parents before children)
    children = order[1:]
    parents = pred[children]
    pos = np.empty(size, dtype=np.int64)
    pos[order] = np.arange(order.size)
    k = order.size
    tri = sp.csr_matrix((np.ones(children.size), (pos[parents], pos[children])), shape=(k, k))
    sums = spsolve_triangular((sp.identity(k, format="csr") - tri).tocsr(), demand[order], lower=False)
    flow = np.zeros(tail.size)
    keys = tail.astype(np.int64) * size + head
    order_keys = np.argsort(keys)
    arcs = order_keys[np.searchsorted(keys, parents * size + children, sorter=order_keys)]
    flow[arcs] = sums[pos[children]]
    return flow
