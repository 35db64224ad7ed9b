"""Graph constraints: contiguity, minimum neighbours and corridors.

Contiguity: the selection forms one connected network (separator cuts, :mod:`scp.model.cuts`,
or a single-commodity flow); feature contiguity: the selected units holding each listed feature
form one piece.

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

The root is fixed (``r_u = 1``) on the first unit every feasible selection holds, when there is
one (locked in, or needed for a target: :func:`scp.model.presolve.necessary_units`); the
relaxation is then tighter (:func:`scp.model.graph.root_bounds`).
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
from scipy.sparse.csgraph import dijkstra

from ..data import PlanningData
from ..errors import ScenarioError
from ..data.spatial import adjacency, parts, patches

__all__ = ["Contiguity", "Corridor", "FeatureContiguity", "GRAPH_CONSTRAINTS", "Neighbours", "adjacency", "patches"]


@dataclass(frozen=True)
class Contiguity:
    """The selection is one connected network (``mode="selection"``), or every part of it is
    joined to a locked-in unit (``mode="locked_in"``).

    ``method="cuts"`` (default) leaves the constraint out of the model and adds minimal
    vertex-separator cuts for the parts of each integer solution until it is connected
    (:mod:`scp.model.cuts`, :mod:`scp.solving.cut_loop`); ``method="flow"`` compiles the
    single-commodity flow of the module docstring into one model."""

    mode: str = "selection"
    method: str = "cuts"

    def __post_init__(self) -> None:
        if self.mode not in ("selection", "locked_in"):
            raise ScenarioError(f"mode {self.mode!r} must be 'selection' or 'locked_in'", "contiguity.mode")
        if self.method not in ("cuts", "flow"):
            raise ScenarioError(f"method {self.method!r} must be 'cuts' or 'flow'", "contiguity.method")

    def violation(self, data: PlanningData, selected: np.ndarray, locked_in: np.ndarray) -> str | None:
        """A sentence when ``selected`` breaks the constraint, else None."""
        lab = patches(data, selected)
        n_parts = int(lab.max()) + 1 if (lab >= 0).any() else 0
        if self.mode == "selection":
            return None if n_parts <= 1 else f"contiguity: the selection has {n_parts} separate parts"
        anchored = np.unique(lab[locked_in & (lab >= 0)])
        loose = n_parts - anchored.size
        return None if loose == 0 else f"contiguity: {loose} part(s) of the selection touch no locked-in unit"


@dataclass(frozen=True)
class FeatureContiguity:
    """For each listed feature, the selected units that hold it form one connected piece of the
    graph restricted to the units holding it (prioritizr's ``add_feature_contiguity_constraints``
    with the planning units' adjacency). Solved with separator cuts (:mod:`scp.model.cuts`) over
    that restricted graph; ``features`` are row indices of ``data.rij``, ``names`` their names."""

    features: tuple[int, ...]
    names: tuple[str, ...]

    def holders(self, data: PlanningData, k: int) -> np.ndarray:
        """Mask of the units holding feature ``features[k]`` (amount > 0)."""
        row = data.rij[self.features[k]]
        mask = np.zeros(data.n_pu, dtype=bool)
        mask[row.indices[row.data > 0]] = True
        return mask

    def violation(self, data: PlanningData, selected: np.ndarray, locked_in: np.ndarray) -> str | None:
        adj = adjacency(data)
        broken = []
        for k, name in enumerate(self.names):
            lab = parts(adj, np.asarray(selected, dtype=bool), self.holders(data, k))
            if lab.max() >= 1:
                broken.append(f"{name} ({int(lab.max()) + 1} pieces)")
        return None if not broken else "feature contiguity: " + ", ".join(broken) + " not in one piece"


@dataclass(frozen=True)
class Neighbours:
    """Every selected unit has at least ``k`` selected neighbours.

    Formulation (``N(i)``: the neighbours of ``i``, 4- or 8-adjacency)::

        sum_{j in N(i)} x_j - k x_i >= 0        for every unit i

    A unit with fewer than ``k`` neighbours can never be selected (a locked-in one makes the
    problem infeasible; :meth:`violation` names it). With ``clamp=True`` (prioritizr's default,
    ``add_neighbors_constraints(clamp = TRUE)``) such a unit needs all its neighbours instead:
    ``k_i = min(k, deg_i)`` (a unit without neighbours is then unconstrained). scp keeps
    ``clamp=False`` as its default because a planner asking for ``k`` neighbours rarely wants
    edge units exempted silently; the report states which one was used.
    """

    k: int
    neighbours: int = 4
    clamp: bool = False

    def required(self, data: PlanningData) -> np.ndarray:
        """``k_i`` per unit: ``k``, or ``min(k, deg_i)`` when clamped."""
        if not self.clamp:
            return np.full(data.n_pu, float(self.k))
        degree = np.asarray(adjacency(data, self.neighbours).sum(axis=1)).ravel()
        return np.minimum(float(self.k), degree)

    def __post_init__(self) -> None:
        if isinstance(self.k, bool) or not isinstance(self.k, (int, np.integer)) or self.k < 1:
            raise ScenarioError(f"{self.k!r} must be a whole number >= 1", "neighbours.k")
        if self.neighbours not in (4, 8):
            raise ScenarioError(f"{self.neighbours} must be 4 or 8", "neighbours.directions")

    def violation(self, data: PlanningData, selected: np.ndarray, locked_in: np.ndarray) -> str | None:
        adj = adjacency(data, self.neighbours)
        count = adj @ selected.astype(np.float64)
        bad = selected & (count < self.required(data) - 1e-9)
        if not bad.any():
            return None
        return (f"neighbours: {int(bad.sum())} selected unit(s) have fewer than {self.k} selected "
                f"neighbours (PU ids {data.ids[bad][:5].tolist()})")

    def impossible(self, data: PlanningData, locked_in: np.ndarray) -> str | None:
        """A reason when a locked-in unit has fewer than ``k`` neighbours in the data."""
        degree = np.asarray(adjacency(data, self.neighbours).sum(axis=1)).ravel()
        bad = locked_in & (degree < self.required(data))
        if bad.any():
            return (f"neighbours: {int(bad.sum())} locked-in unit(s) have fewer than {self.k} neighbours at "
                    f"all (PU ids {data.ids[bad][:5].tolist()}); lower k or unlock them")
        return None


@dataclass(frozen=True, eq=False)
class Corridor:
    """The selection joins area ``source`` to area ``sink`` by a chain of neighbouring
    selected units, and (with ``weight > 0``) the cheapest such chain through a resistance
    surface is charged to the objective.

    Formulation: one unit of flow leaves the selected part of ``source`` and reaches the
    selected part of ``sink`` along arcs ``A`` (both directions of every adjacency) that join
    selected units; ``r`` is the resistance (1 when none is given)::

        sum_{(j,i) in A} f_ji + s_i - sum_{(i,j) in A} f_ij - t_i = 0     for every unit i
        sum_{i in source} s_i = 1,  sum_{i in sink} t_i = 1
        f_ij <= x_i,  f_ij <= x_j,  s_i <= x_i,  t_i <= x_i,   f, s, t in [0, 1]
        objective  + weight * ( sum_{(i,j) in A} r_j f_ij + sum_{i in source} r_i s_i )

    A flow of value 1 exists if and only if some connected part of the selection touches both
    areas (max-flow/min-cut); at an optimum the flow follows the least-resistance chain inside
    the selection, whose cost (the sum of ``r`` over the units on the chain) :meth:`path_cost`
    recomputes from the selection alone.
    """

    source: np.ndarray
    sink: np.ndarray
    resistance: np.ndarray | None = None
    weight: float = 0.0
    name: str = "corridor"
    neighbours: int = 4

    def __post_init__(self) -> None:
        src, snk = np.asarray(self.source, dtype=bool), np.asarray(self.sink, dtype=bool)
        where = f"corridors.{self.name}"
        if not src.any() or not snk.any():
            raise ScenarioError("both areas need at least one planning unit ('from' has "
                                f"{int(src.sum())}, 'to' has {int(snk.sum())})", where)
        if (src & snk).any():
            raise ScenarioError(f"the two areas share {int((src & snk).sum())} unit(s); a corridor joins "
                                "two separate areas", where)
        w = float(self.weight)
        if not (np.isfinite(w) and w >= 0):
            raise ScenarioError(f"{self.weight} must be >= 0", f"{where}.weight")
        object.__setattr__(self, "source", src)
        object.__setattr__(self, "sink", snk)
        object.__setattr__(self, "weight", w)
        if self.resistance is not None:
            r = np.asarray(self.resistance, dtype=np.float64)
            if r.shape != src.shape or not np.isfinite(r).all() or (r <= 0).any():
                raise ScenarioError("resistance must be one finite value > 0 per PU", f"{where}.resistance")
            object.__setattr__(self, "resistance", r)

    def _r(self, n: int) -> np.ndarray:
        return np.ones(n) if self.resistance is None else self.resistance

    def path_cost(self, data: PlanningData, selected: np.ndarray) -> float:
        """Least resistance of a chain of selected units from ``source`` to ``sink``
        (sum of ``r`` over the chain's units); ``inf`` when the selection does not join them."""
        n = data.n_pu
        sel = np.asarray(selected, dtype=bool)
        starts = np.flatnonzero(sel & self.source)
        ends = np.flatnonzero(sel & self.sink)
        if starts.size == 0 or ends.size == 0:
            return float("inf")
        r = self._r(n)
        adj = adjacency(data, self.neighbours).tocoo()
        keep = sel[adj.row] & sel[adj.col]
        i, j = adj.row[keep], adj.col[keep]
        # node n is a super-source joined to every selected source unit; entering a unit costs r
        rows = np.concatenate([i, np.full(starts.size, n)])
        cols = np.concatenate([j, starts])
        g = sp.csr_matrix((r[cols], (rows, cols)), shape=(n + 1, n + 1))
        dist = dijkstra(g, directed=True, indices=n)
        return float(dist[ends].min())

    def violation(self, data: PlanningData, selected: np.ndarray, locked_in: np.ndarray) -> str | None:
        if np.isfinite(self.path_cost(data, selected)):
            return None
        return f"corridor {self.name!r}: no chain of selected neighbouring units joins its two areas"

    def penalty(self, data: PlanningData, selected: np.ndarray) -> float:
        """``weight`` x :meth:`path_cost` (0 when the weight is 0)."""
        if self.weight == 0:
            return 0.0
        return self.weight * self.path_cost(data, selected)


GRAPH_CONSTRAINTS = (Contiguity, FeatureContiguity, Neighbours, Corridor)
"""Constraints checked (and compiled, see :mod:`scp.model.graph`) with the locked-in mask:
``violation(data, selected, locked_in)``."""
