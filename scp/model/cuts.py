"""Vertex-separator cuts for contiguity, separated from an integer selection.

Mathematical formulation
------------------------
Let ``G = (V, E)`` be the adjacency graph of the planning units (restricted, for the contiguity
of a feature, to the units that hold it) and ``x`` a 0/1 selection. For two units ``i`` and
``j`` and a set ``S`` of units whose removal disconnects ``i`` from ``j`` (a vertex separator),
every connected selection that contains both ``i`` and ``j`` contains a unit of ``S``::

    x_i + x_j - sum_{k in S} x_k <= 1                                  (Carvajal et al. 2013)

With a root set ``L`` (the locked-in units as one super-node) a unit ``i`` joined to ``L``
needs a unit of every separator ``S`` of ``i`` and ``L``::

    x_i - sum_{k in S} x_k <= 0

With root columns ``r`` (the network's root sits on one selected unit, ``sum r <= 1``,
``r <= x``; :func:`scp.model.graph.compile_cut_root`) a unit ``i`` needs a unit of every
separator ``S`` unless the root is on its side ``W`` (the units ``S`` cuts off with ``i``)::

    x_i - sum_{k in S} x_k - sum_{k in W} r_k <= 0                  (rooted part cut)

For a part ``C`` of an integer selection, ``S = N(C)`` and ``W = C``: every part but the
root's violates its cut, so one cut per part replaces the cuts between pairs of parts.

When ``W`` is large its complement ``U = V - W - S`` is written instead (fewer nonzeros)::

    x_i - sum_{k in S} x_k + sum_{k in S} r_k + sum_{k in U} r_k <= 1   (complement form)

It equals the rooted cut when ``sum r = 1`` and holds at every integer point that satisfies the
rooted cuts: a non-empty connected selection has its root on one unit (``sum r = 1``), the
empty one has ``x = r = 0``. In the LP relaxation it is weaker only where ``sum r < 1``.

When a selection has several parts, let ``C`` be one part and ``N(C)`` its unselected
neighbours: ``N(C)`` separates ``C`` from every other part. It is made minimal for a part ``D``
by keeping only the units of ``N(C)`` adjacent to the component ``R_D`` of ``G - C - N(C)``
that contains ``D`` (Fischetti et al. 2017, "Thinning out Steiner trees", Section 3): every
unit kept lies on a path from ``C`` to ``D`` that crosses ``N(C)`` once, and the cut is violated
by the current selection (``x_i = x_j = 1``, ``x_S = 0``).

References
----------
Carvajal, Constantino, Goycoolea, Vielma & Weintraub (2013) Operations Research 61:290-304;
Fischetti, Leitner, Ljubic, Luipersbeck, Monaci, Resch, Salvagnin & Sinnl (2017) Mathematical
Programming Computation 9:203-229.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..data.spatial import parts


@dataclass
class Cut:
    """``x_i (+ x_j) - sum_S x_k (- sum_W r_k) <= rhs`` (``j`` is None for a cut towards the
    root set or, with ``root_side`` ``W``, towards the root columns)."""

    i: int
    j: int | None
    separator: np.ndarray
    root_side: np.ndarray | None = None
    root_outside: np.ndarray | None = None
    """Set instead of ``root_side`` for the complement form (module docstring): ``U``."""

    @property
    def rhs(self) -> float:
        return 1.0 if self.j is not None or self.root_outside is not None else 0.0

    def lhs(self, x: np.ndarray, r: np.ndarray | None = None) -> float:
        """The left-hand side at the point ``(x, r)``."""
        value = x[self.i] + (0.0 if self.j is None else x[self.j]) - x[self.separator].sum()
        if self.root_side is not None:
            value -= r[self.root_side].sum()
        if self.root_outside is not None:
            value += r[self.separator].sum() + r[self.root_outside].sum()
        return float(value)

    def compact(self, n: int, x: np.ndarray, r: np.ndarray, min_violation: float) -> "Cut":
        """The same rooted cut in the complement form when that has fewer nonzeros over ``n``
        units and the point ``(x, r)`` still violates it by more than ``min_violation`` (it is
        weaker where ``sum r < 1``); else this cut."""
        if self.root_side is None or 2 * self.root_side.size <= n - self.root_side.size + self.separator.size:
            return self
        outside = np.ones(n, dtype=bool)
        outside[self.root_side] = False
        outside[self.separator] = False
        other = Cut(self.i, self.j, self.separator, None, np.flatnonzero(outside))
        return other if other.lhs(x, r) - other.rhs > min_violation else self


def unit_graph(adj: sp.csr_matrix) -> sp.csr_matrix:
    """The 0/1 (int8) CSR pattern of an adjacency matrix, for :func:`outer_neighbours`."""
    return (adj != 0).astype(np.int8).tocsr()


def outer_neighbours(graph: sp.csr_matrix, inside: np.ndarray) -> np.ndarray:
    """Mask of the units outside the mask ``inside`` with a neighbour in it (``graph`` from
    :func:`unit_graph`): the vertex boundary ``N(C)`` of a set ``C``."""
    return (np.asarray(graph @ inside.astype(np.int8)).ravel() > 0) & ~inside


def _outside_components(adj: sp.csr_matrix, blocked: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Components of ``G`` restricted to allowed units that are not blocked (-1 elsewhere)."""
    return parts(adj, allowed & ~blocked)


def separator_cuts(adj: sp.csr_matrix, selected: np.ndarray, allowed: np.ndarray | None = None,
                   roots: np.ndarray | None = None, pairs_per_part: int | None = None,
                   every_unit: bool = False, stop_at: float | None = None) -> list[Cut]:
    """Minimal-separator cuts violated by ``selected`` (see module docstring).

    Without ``roots``: one cut per ordered pair of parts ``(C, D)`` (up to ``pairs_per_part``
    partners per part, nearest labels first); with ``roots`` (a mask, e.g. the locked-in units):
    one cut per part that contains no root. ``allowed`` restricts the graph (feature contiguity).
    ``every_unit`` writes the cut of a part for each of its units as ``i`` (the separator is the
    same), not only for its representative: more rows, a tighter relaxation. ``stop_at`` (a
    :func:`time.perf_counter` value) ends the separation early; the cuts found so far are valid.
    Returns [] when the selection satisfies the constraint.
    """
    n = selected.shape[0]
    allowed = np.ones(n, dtype=bool) if allowed is None else allowed
    lab = parts(adj, selected, allowed)
    k = int(lab.max()) + 1
    if roots is None and k <= 1:
        return []
    cuts: list[Cut] = []
    rep = np.full(k, -1, dtype=np.int64)  # a representative unit of each part (its first unit)
    seen = lab >= 0
    rep[lab[seen][::-1]] = np.flatnonzero(seen)[::-1]
    rooted = np.zeros(k, dtype=bool)
    if roots is not None:
        rooted[np.unique(lab[roots & (lab >= 0)])] = True
        if rooted.all():
            return []
    adj_bool = unit_graph(adj)
    for c in range(k):
        if roots is not None and rooted[c]:
            continue
        if stop_at is not None and cuts and time.perf_counter() >= stop_at:
            break
        in_c = lab == c
        nbr = outer_neighbours(adj_bool, in_c) & allowed
        comp = _outside_components(adj, in_c | nbr, allowed)
        targets = ([(None, np.flatnonzero(roots & allowed & ~in_c))] if roots is not None else
                   [(d, np.array([rep[d]])) for d in range(k) if d != c])
        if pairs_per_part is not None:
            targets = targets[:pairs_per_part]
        for d, units in targets:
            labels = np.unique(comp[units[comp[units] >= 0]])
            if labels.size == 0:
                continue  # the part touches every target directly through selected units: no cut
            reach = np.isin(comp, labels)
            touches = np.asarray(adj_bool @ reach.astype(np.int8)).ravel() > 0
            sep = np.flatnonzero(nbr & touches)
            members = np.flatnonzero(in_c) if every_unit else np.array([rep[c]])
            cuts += [Cut(int(i), None if d is None else int(rep[d]), sep) for i in members]
    return cuts


def part_root_cuts(adj: sp.csr_matrix, selected: np.ndarray, every_unit: bool = False) -> list[Cut]:
    """Rooted part cuts (see module docstring) for every part ``C`` of ``selected``:
    ``x_i - x(N(C)) - r(C) <= 0`` for its representative ``i`` (or, with ``every_unit``, each of
    its units). Returns [] when the selection has at most one part."""
    lab = parts(adj, selected)
    k = int(lab.max()) + 1
    if k <= 1:
        return []
    adj_bool = unit_graph(adj)
    cuts: list[Cut] = []
    for c in range(k):
        in_c = lab == c
        members = np.flatnonzero(in_c)
        nbr = np.flatnonzero(outer_neighbours(adj_bool, in_c))
        cuts += [Cut(int(i), None, nbr, members) for i in (members if every_unit else members[:1])]
    return cuts


def cut_rows(cuts: list[Cut], n_cols: int, root_start: int | None = None) -> tuple[sp.csr_matrix, np.ndarray]:
    """The cuts as rows over ``n_cols`` columns (the first ``n_pu`` are the units; the root
    columns of rooted cuts start at ``root_start``) and their right-hand sides (each row is
    ``<= rhs``)."""
    if not cuts:
        return sp.csr_matrix((0, n_cols)), np.zeros(0)
    if root_start is None and any(c.root_side is not None or c.root_outside is not None for c in cuts):
        raise ValueError("rooted cuts need the model's root columns (root_start)")
    ends = [np.array([c.i] if c.j is None else [c.i, c.j]) for c in cuts]
    ends = [e if c.root_outside is None else np.concatenate([e, root_start + c.separator, root_start + c.root_outside])
            for e, c in zip(ends, cuts)]
    seps = [c.separator if c.root_side is None else np.concatenate([c.separator, root_start + c.root_side])
            for c in cuts]
    n_ends = np.array([e.size for e in ends])
    n_seps = np.array([e.size for e in seps])
    rows = np.concatenate([np.repeat(np.arange(len(cuts)), n_ends), np.repeat(np.arange(len(cuts)), n_seps)])
    cols = np.concatenate(ends + seps).astype(np.int64)
    vals = np.concatenate([np.ones(int(n_ends.sum())), -np.ones(int(n_seps.sum()))])
    A = sp.csr_matrix((vals, (rows, cols)), shape=(len(cuts), n_cols))
    A.sum_duplicates()
    return A, np.array([c.rhs for c in cuts])
