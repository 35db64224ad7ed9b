"""Objectives: exactly one per problem.

Mathematical formulation
------------------------
Decision ``x_i in {0, 1}`` selects planning unit ``i``; ``c_i`` cost, ``r_ij`` amount of
feature ``j`` in unit ``i``, ``t_j`` target, ``B`` budget, ``w_j`` feature weight.

Minimum set (Marxan; prioritizr ``add_min_set_objective``)::

    min  sum_i c_i x_i           s.t.  sum_i r_ij x_i >= t_j   for every feature with a target

Maximum utility (prioritizr ``add_max_utility_objective``)::

    max  sum_j w_j sum_i r_ij x_i    s.t.  sum_i c_i x_i <= B

Minimum shortfall (prioritizr ``add_min_shortfall_objective``), ``s_j >= 0`` continuous::

    min  sum_j w_j s_j / t_j     s.t.  s_j >= t_j - sum_i r_ij x_i,   sum_i c_i x_i <= B

Minimum largest shortfall (prioritizr ``add_min_largest_shortfall_objective``), ``s_j >= 0``::

    min  max_j w_j s_j / t_j     s.t.  s_j >= t_j - sum_i r_ij x_i,   sum_i c_i x_i <= B

linearised with one continuous ``z``: ``min z`` s.t. ``z >= w_j s_j / t_j`` for every feature with
a target.

Maximum features met (prioritizr ``add_max_features_objective``), ``y_j in {0, 1}``::

    max  sum_j w_j y_j           s.t.  sum_i r_ij x_i >= t_j y_j,   sum_i c_i x_i <= B

(a feature counts only when its whole target is met; features without a target, or with a zero
target, do not count: prioritizr counts only features with targets too). As in prioritizr, a
small cost term ``- s sum_i c_i x_i`` with ``s = 0.01 min_j w_j / sum_i c_i`` makes the cheapest of
the selections that meet the same weighted targets the optimum; it is part of the objective that
:func:`scp.evaluate` reports (``s sum_i c_i x_i <= 0.01 min_j w_j``, so the count is unchanged).

Maximum cover (prioritizr ``add_max_cover_objective``; Church & Velle 1974), ``y_j in {0, 1}``::

    max  sum_j w_j y_j - s sum_i c_i x_i     s.t.  sum_{i: r_ij > 0} x_i >= y_j,   sum_i c_i x_i <= B

(a feature is covered when one selected unit holds any of it; no targets).

Minimum penalties (prioritizr ``add_min_penalties_objective``): with every target met and the
cost within a budget, minimise the penalties alone (hierarchical multi-objective planning: first
the cost, then the penalties within a cost budget)::

    min  P(x)     s.t.  sum_i r_ij x_i >= t_j,   sum_i c_i x_i <= B

Maximum phylogenetic diversity / endemism (prioritizr ``add_max_phylo_div_objective``,
``add_max_phylo_end_objective``; Faith 1992, Rosauer et al. 2009), ``y_j in {0, 1}`` target met,
``m_b in [0, 1]`` branch ``b`` represented::

    max  sum_b v_b m_b - s sum_i c_i x_i   s.t.  sum_i r_ij x_i >= t_j y_j,  m_b <= sum_{j in T(b)} y_j,
                                               sum_i c_i x_i <= B

with ``v_b = l_b`` (diversity) or ``l_b / a_b`` (endemism; ``a_b`` the summed totals of the features
below ``b``), ``T(b)`` the features below branch ``b`` (:mod:`scp.data.phylogeny`) and ``s`` the
tie-break of maximum features met over the ``v_b``. A branch counts when at least one feature
below it meets its target (prioritizr's formulation writes ``m_b <= y_j`` for every ``j``, which
would need all of them; its text and Faith's diversity take one). prioritizr also rescales the
endemism weights by a constant so that the smallest is 1; the weights here are ``l_b / a_b`` as
they are (the same optimum).

Penalties are added to a minimisation and subtracted from a maximisation. Targets are hard
constraints for the objectives with ``hard_targets`` (minimum set, minimum penalties).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..data.checks import non_negative
from ..data import PlanningData
from ..errors import ScenarioError


def feature_weights(data: PlanningData, weights: Mapping[str, float] | None, where: str) -> np.ndarray:
    """One weight per feature: 1 unless ``weights`` names it (errors name ``where.FEATURE``)."""
    w = np.ones(data.n_features)
    for name, v in (weights or {}).items():
        try:
            j = data.feature_index(str(name))
        except Exception as exc:  # DataError with suggestions
            raise ScenarioError(str(exc), f"{where}.{name}") from None
        if not np.isfinite(float(v)) or float(v) < 0:
            raise ScenarioError(f"weight {v!r} must be a finite number >= 0", f"{where}.{name}")
        w[j] = float(v)
    return w


@dataclass(frozen=True)
class MinSet:
    """Minimum-cost set meeting every target (the default objective)."""

    name: str = "min_set"
    uses_targets: bool = True
    budget: float | None = None
    hard_targets: bool = True


@dataclass(frozen=True)
class Budgeted:
    """The fields every budget-limited objective shares: a budget (>= 0) and feature weights."""

    budget: float
    weights: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "budget", non_negative(self.budget, "objective.budget"))


@dataclass(frozen=True)
class MaxUtility(Budgeted):
    """Maximise the weighted amount of all features held, within a budget."""

    name: str = "max_utility"
    uses_targets: bool = False
    maximise: bool = True


@dataclass(frozen=True)
class MinShortfall(Budgeted):
    """Minimise the weighted relative shortfall of the targets, within a budget."""

    name: str = "min_shortfall"
    uses_targets: bool = True


@dataclass(frozen=True)
class MinLargestShortfall(Budgeted):
    """Minimise the largest weighted relative shortfall of the targets, within a budget."""

    name: str = "min_largest_shortfall"
    uses_targets: bool = True


@dataclass(frozen=True)
class MaxFeaturesMet(Budgeted):
    """Maximise the weighted number of targets met in full, within a budget."""

    name: str = "max_features_met"
    uses_targets: bool = True
    maximise: bool = True


@dataclass(frozen=True)
class MaxCover(Budgeted):
    """Maximise the weighted number of features present in the selection, within a budget."""

    name: str = "max_cover"
    uses_targets: bool = False
    maximise: bool = True


@dataclass(frozen=True)
class MaxPhylo(Budgeted):
    """Maximise the phylogenetic diversity (or endemism) of the features whose targets are met,
    within a budget (module docstring); ``tree`` a :class:`~scp.data.phylogeny.Phylogeny`."""

    tree: object = None
    endemism: bool = False
    uses_targets: bool = True
    maximise: bool = True

    @property
    def name(self) -> str:
        return "max_phylo_endemism" if self.endemism else "max_phylo_diversity"

    def branch_values(self, data: PlanningData):
        """``(features x branches matrix T, values v_b)``."""
        T = self.tree.branch_matrix(data.features)
        v = np.asarray(self.tree.lengths, dtype=np.float64)
        if self.endemism:
            a = np.asarray(T.T @ data.feature_totals).ravel()
            v = np.where(a > 0, v / np.where(a > 0, a, 1.0), 0.0)
        return T, v


def tie_break_scale(weights: np.ndarray, costs: np.ndarray) -> float:
    """``s = 0.01 min_j w_j / sum_i c_i`` (0 when no weight or cost is positive)."""
    w = weights[weights > 0]
    total = float(np.sum(np.maximum(costs, 0.0)))
    return 0.01 * float(w.min()) / total if w.size and total > 0 else 0.0


@dataclass(frozen=True)
class MinPenalties(Budgeted):
    """Minimise the penalties alone, with every target met, within a budget."""

    name: str = "min_penalties"
    uses_targets: bool = True
    hard_targets: bool = True


def hard_targets(objective) -> bool:
    """Whether the objective's targets are constraints (minimum set, minimum penalties)."""
    return bool(getattr(objective, "hard_targets", False))
