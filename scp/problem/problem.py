"""The declarative problem grammar.

A :class:`Problem` is immutable: every method returns a new problem with one more
component. Exactly one objective (minimum set by default); any number of targets,
constraints and penalties::

    p = (Problem(data)
         .min_set()
         .relative_targets(0.3)
         .relative_targets({"markhor": 0.6})
         .coverage(0.3, by="jurisdiction")
         .boundary_penalty(1.0))
    solution = scp.solve(p, gap=0.0)

Components check their arguments when added and name what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

import numpy as np

from ..data import PlanningData
from ..errors import DataError, ScenarioError
from .constraints import Budget, Coverage, GroupTarget, Linear, Locked, pu_mask, status_masks
from .decisions import DecisionBounds, Decisions
from .graph import Contiguity, FeatureContiguity, Corridor, Neighbours, adjacency
from .objectives import (MaxCover, MaxFeaturesMet, MaxPhylo, MaxUtility, MinLargestShortfall, MinPenalties, MinSet, MinShortfall,
                         feature_weights)
from .penalties import BoundaryPenalty, ConnectivityPenalty, LinearPenalty, NeighbourPenalty
from .target_methods import auto_targets
from .targets import TargetSpec, loglinear_targets, resolve_targets, target_specs


@dataclass(frozen=True, eq=False)
class Problem:
    """A conservation planning problem over :class:`~scp.data.PlanningData`."""

    data: PlanningData
    objective: object = MinSet()
    targets: tuple[TargetSpec, ...] = ()
    constraints: tuple = ()
    penalties: tuple = ()
    decisions: Decisions = Decisions()

    # ----------------------------------------------------------------- decisions
    def binary_decisions(self) -> "Problem":
        """Take a unit or not, ``x_i in {0, 1}`` (the default)."""
        return self._with_decisions(Decisions("binary"))

    def proportion_decisions(self) -> "Problem":
        """Manage a share of each unit, ``x_i in [0, 1]`` (:mod:`scp.problem.decisions`)."""
        return self._with_decisions(Decisions("proportion"))

    def semicontinuous_decisions(self, upper: float) -> "Problem":
        """Manage a share of each unit up to ``upper``, ``x_i in [0, upper]``."""
        return self._with_decisions(Decisions("semicontinuous", upper))

    def decision_bounds(self, lower, upper) -> "Problem":
        """Per-unit bounds ``lower_i <= x_i <= upper_i`` (arrays, one value per unit)."""
        c = DecisionBounds(lower, upper).checked(self.decisions, self.data.n_pu)
        return replace(self, constraints=self.constraints + (c,))

    def _with_decisions(self, d: Decisions) -> "Problem":
        for c in self.constraints:
            if isinstance(c, DecisionBounds):
                c.checked(d, self.data.n_pu)
        return replace(self, decisions=d)

    # ---------------------------------------------------------------- objectives
    def min_set(self) -> "Problem":
        """Minimise cost (plus penalties) subject to every target."""
        return replace(self, objective=MinSet())

    def max_utility(self, budget: float, weights: Mapping[str, float] | None = None) -> "Problem":
        """Maximise the weighted amount of features held within ``budget``."""
        return self._budgeted(MaxUtility, budget, weights)

    def min_shortfall(self, budget: float, weights: Mapping[str, float] | None = None) -> "Problem":
        """Minimise the weighted relative target shortfall within ``budget``."""
        return self._budgeted(MinShortfall, budget, weights)

    def min_largest_shortfall(self, budget: float, weights: Mapping[str, float] | None = None) -> "Problem":
        """Minimise the largest weighted relative target shortfall within ``budget``."""
        return self._budgeted(MinLargestShortfall, budget, weights)

    def max_features_met(self, budget: float, weights: Mapping[str, float] | None = None) -> "Problem":
        """Maximise the weighted number of targets met in full within ``budget``."""
        return self._budgeted(MaxFeaturesMet, budget, weights)

    def max_cover(self, budget: float, weights: Mapping[str, float] | None = None) -> "Problem":
        """Maximise the weighted number of features present in the selection within ``budget``."""
        return self._budgeted(MaxCover, budget, weights)

    def max_phylo_diversity(self, budget: float, tree) -> "Problem":
        """Maximise the phylogenetic diversity of the features whose targets are met within
        ``budget``; ``tree``: Newick text, a Newick file or a :class:`~scp.data.phylogeny.Phylogeny`."""
        return self._phylo(budget, tree, False)

    def max_phylo_endemism(self, budget: float, tree) -> "Problem":
        """As :meth:`max_phylo_diversity`, each branch weighed by 1 / the total amount below it."""
        return self._phylo(budget, tree, True)

    def _phylo(self, budget: float, tree, endemism: bool) -> "Problem":
        from ..data.phylogeny import read_phylogeny

        try:
            obj = MaxPhylo(budget, (), read_phylogeny(tree), endemism)
            obj.branch_values(self.data)  # tips = features, checked now
        except DataError as exc:
            raise ScenarioError(str(exc), "objective.tree") from None
        return replace(self, objective=obj)

    def min_penalties(self, budget: float) -> "Problem":
        """Minimise the penalties alone, with every target met, within ``budget``."""
        return replace(self, objective=MinPenalties(budget))

    def _budgeted(self, kind, budget: float, weights: Mapping[str, float] | None) -> "Problem":
        obj = kind(budget, tuple((weights or {}).items()))
        feature_weights(self.data, dict(obj.weights), "objective.weights")  # unknown features fail now
        return replace(self, objective=obj)

    def objective_weights(self) -> np.ndarray:
        return feature_weights(self.data, dict(getattr(self.objective, "weights", ())), "objective.weights")

    # ------------------------------------------------------------------- targets
    def relative_targets(self, value: float | Mapping[str, float], cap: float | None = None,
                         relative_to: str = "planning_units") -> "Problem":
        """Targets as shares of each feature's total (a scalar for all, or ``{feature: share}``),
        at most ``cap`` (an amount) when given; the total over the planning units (default) or,
        with ``relative_to="all_data"``, over every cell with data (:mod:`scp.problem.targets`)."""
        return self._add_targets(target_specs("relative", value, cap, relative_to))

    def absolute_targets(self, value: float | Mapping[str, float]) -> "Problem":
        """Targets as amounts (a scalar for all, or ``{feature: amount}``)."""
        return self._add_targets(target_specs("absolute", value))

    def loglinear_targets(self, lower_amount: float, lower_target: float, upper_amount: float, upper_target: float,
                          cap_amount: float | None = None, cap_target: float | None = None) -> "Problem":
        """Absolute targets for every feature by log-linear interpolation of the share on its total
        (:func:`~scp.problem.targets.loglinear_targets`); later targets override them."""
        t = loglinear_targets(self.data.feature_totals, lower_amount, lower_target, upper_amount, upper_target,
                              cap_amount, cap_target)
        return self.absolute_targets(dict(zip(self.data.features, t.tolist())))

    def method_targets(self, method, features=None, area_unit: str = "km2",
                       relative_to: str = "planning_units") -> "Problem":
        """Absolute targets by a target-setting method (``"rodrigues"``, ``"watson"``, ``"jung"``,
        ``"ward"``, ``"red_list"``, or a mapping ``{"method": ..., parameters}``; see
        :mod:`scp.problem.target_methods`) from each feature's total (in ``area_unit``) over the
        planning units or all data; for ``features`` (default: all)."""
        names = list(self.data.features) if features is None else [features] if isinstance(features, str) \
            else list(features)
        return self.auto_targets({f: method for f in names}, area_unit=area_unit, relative_to=relative_to)

    def auto_targets(self, methods: Mapping[str, object], default=None, area_unit: str = "km2",
                     relative_to: str = "planning_units") -> "Problem":
        """Absolute targets with a method per feature (``methods``, else ``default``; prioritizr's
        ``add_auto_targets``); see :meth:`method_targets`."""
        t = auto_targets(self.data.features, self.data.totals(relative_to), methods, default, area_unit)
        return self.absolute_targets(t) if t else self

    def _add_targets(self, specs: tuple[TargetSpec, ...]) -> "Problem":
        new = replace(self, targets=self.targets + specs)
        new.resolved_targets()  # unknown feature names fail now, not at solve time
        return new

    def resolved_targets(self) -> np.ndarray:
        """Absolute target per feature (NaN where none applies)."""
        return resolve_targets(self.data, self.targets)

    # --------------------------------------------------------------- constraints
    def locked_in(self, units) -> "Problem":
        """Force units into the selection (boolean mask or list of PU ids)."""
        return self._add_lock(pu_mask(self.data, units, "locked_in"), 1)

    def locked_out(self, units) -> "Problem":
        """Keep units out of the selection (boolean mask or list of PU ids)."""
        return self._add_lock(pu_mask(self.data, units, "locked_out"), 0)

    def _add_lock(self, mask: np.ndarray, value: int) -> "Problem":
        new = replace(self, constraints=self.constraints + (Locked(mask, value),))
        li, lo = status_masks(self.data, new.constraints)
        both = li & lo
        if both.any():
            raise ScenarioError(
                f"{int(both.sum())} unit(s) would be both locked in and locked out "
                f"(PU ids {self.data.ids[both][:5].tolist()}); remove them from one of the two",
                "locked_in" if value == 1 else "locked_out")
        return new

    def group_target(self, name: str, features, relative: float | None = None,
                     absolute: float | None = None) -> "Problem":
        """One target over ``features`` together: a share of their summed totals (``relative``) or
        an amount (``absolute``); see :class:`~scp.problem.constraints.GroupTarget`."""
        if (relative is None) == (absolute is None):
            raise ScenarioError("give exactly one of relative or absolute", f"group_targets.{name}")
        c = GroupTarget(name, tuple(features), "relative" if relative is not None else "absolute",
                        relative if relative is not None else absolute)
        c.indices(self.data)  # unknown features fail now
        return replace(self, constraints=self.constraints + (c,))

    def budget(self, amount: float) -> "Problem":
        """Total cost of the selection may not exceed ``amount``."""
        return replace(self, constraints=self.constraints + (Budget(amount),))

    def coverage(self, fraction: float, by: str | list[str] | None = None) -> "Problem":
        """Protect at least ``fraction`` of the area: overall (``by=None``), in every
        jurisdiction (``by="jurisdiction"``) or in the listed jurisdictions."""
        c = Coverage(fraction, by)
        c.groups(self.data)  # validate labels now
        return replace(self, constraints=self.constraints + (c,))

    def linear_constraint(self, coefficients, sense: str, rhs: float, name: str = "linear") -> "Problem":
        """``coefficients @ x (sense) rhs`` with one coefficient per PU."""
        c = Linear(coefficients, sense, rhs, name)
        if c.coefficients.shape != (self.data.n_pu,):
            raise ScenarioError(f"{c.coefficients.shape[0]} coefficients for {self.data.n_pu} PUs",
                                f"constraints.{name}")
        return replace(self, constraints=self.constraints + (c,))

    def contiguity(self, mode: str = "selection", method: str = "cuts") -> "Problem":
        """The selection must be one connected network (``mode="selection"``), or every part of
        it must be joined to a locked-in unit (``mode="locked_in"``); ``method`` ``"cuts"``
        (separator cuts added as needed) or ``"flow"`` (single-commodity flow); see
        :class:`scp.problem.graph.Contiguity`."""
        c = Contiguity(mode, method)
        adjacency(self.data, 4, "contiguity")  # needs a boundary matrix: fail now
        return replace(self, constraints=self.constraints + (c,))

    def feature_contiguity(self, features) -> "Problem":
        """For each feature named, the selected units holding it must form one connected piece
        (of the units holding it); see :class:`scp.problem.graph.FeatureContiguity`."""
        names = [features] if isinstance(features, str) else list(features)
        if not names:
            raise ScenarioError("give at least one feature", "feature_contiguity")
        idx = tuple(self.data.feature_index(f) for f in names)
        adjacency(self.data, 4, "feature_contiguity")
        return replace(self, constraints=self.constraints + (FeatureContiguity(idx, tuple(names)),))

    def neighbours(self, k: int, directions: int = 4, clamp: bool = False) -> "Problem":
        """Every selected unit must have at least ``k`` selected neighbours (``directions`` 4 or
        8; 8 needs grid data; ``clamp``: a unit with fewer than ``k`` neighbours needs all of
        them); see :class:`scp.problem.graph.Neighbours`."""
        c = Neighbours(k, directions, bool(clamp))
        adjacency(self.data, directions, "neighbours")
        return replace(self, constraints=self.constraints + (c,))

    def corridor(self, source, sink, resistance=None, weight: float = 0.0, name: str = "corridor",
                 directions: int = 4) -> "Problem":
        """The selection must join area ``source`` to area ``sink`` (boolean masks or lists of PU
        ids) through neighbouring selected units; with ``weight > 0`` the least resistance of
        such a chain (``resistance`` per PU, default 1) is added to the objective. See
        :class:`scp.contiguity.Corridor`."""
        c = Corridor(pu_mask(self.data, source, f"corridors.{name}.from"),
                     pu_mask(self.data, sink, f"corridors.{name}.to"), resistance, weight, name, directions)
        adjacency(self.data, directions, f"corridors.{name}")
        return replace(self, constraints=self.constraints + (c,))

    # ----------------------------------------------------------------- penalties
    def boundary_penalty(self, penalty: float, edge_factor: float = 1.0) -> "Problem":
        """Add ``penalty`` x boundary length (exposed edges weighted by ``edge_factor``)."""
        p = BoundaryPenalty(penalty, edge_factor)
        if self.data.boundary is None:
            raise ScenarioError("the planning data have no boundary matrix; build the data from a grid "
                                "or give a boundary table", "boundary")
        return replace(self, penalties=self.penalties + (p,))

    def connectivity_penalty(self, penalty: float, matrix: str | None = None,
                             asymmetric: bool = False) -> "Problem":
        """Add ``penalty`` x connectivity lost between selected and unselected units."""
        p = ConnectivityPenalty(penalty, matrix, asymmetric)
        p.resolve(self.data)
        return replace(self, penalties=self.penalties + (p,))

    def neighbour_penalty(self, penalty: float, directions: int = 4) -> "Problem":
        """Reward ``penalty`` for every pair of adjacent units selected together (prioritizr's
        ``add_neighbor_penalties``); see :class:`~scp.problem.penalties.NeighbourPenalty`."""
        p = NeighbourPenalty(penalty, directions)
        p.adjacency(self.data)  # needs a boundary (or a grid for 8): fail now
        return replace(self, penalties=self.penalties + (p,))

    def linear_penalty(self, penalty: float, values, name: str = "linear") -> "Problem":
        """Add ``penalty`` x the sum of a per-unit layer ``values`` over the selection (e.g. human
        footprint; prioritizr's ``add_linear_penalties``)."""
        p = LinearPenalty(penalty, values, name)
        p.terms(self.data)  # the shape fails now, not at solve time
        return replace(self, penalties=self.penalties + (p,))

    # -------------------------------------------------------------------- solve
    def solve(self, solver: str = "highs", **options) -> "Solution":  # noqa: F821 (scp.results, above this stage)
        """Solve this problem: the same as :func:`scp.solve` ``(self, solver, **options)``."""
        from ..solving.pipeline import solve  # the one sanctioned upward call (see tests/test_layout.py)

        return solve(self, solver, **options)
