"""Formulations of the objectives (see :mod:`scp.problem.objectives` for the mathematics).

Each function adds the objective's costs (and, for budgeted objectives, its extra columns and
rows) to a :class:`~scp.model.model.ModelBuilder`, vectorised.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..data import PlanningData
from ..errors import ScenarioError
from ..problem.objectives import (MaxCover, MaxFeaturesMet, MaxPhylo, MaxUtility, MinLargestShortfall, MinPenalties,
                                  MinSet, MinShortfall, feature_weights, tie_break_scale)
from .model import ModelBuilder


def compile_min_set(c: MinSet, b: ModelBuilder, data: PlanningData, x: slice, targets: np.ndarray) -> None:
    """``min sum_i c_i x_i``."""
    b.add_cost(x, data.cost)
    b.sense = 1


def compile_max_utility(c: MaxUtility, b: ModelBuilder, data: PlanningData, x: slice, targets: np.ndarray) -> None:
    """``max sum_j w_j sum_i r_ij x_i`` (minimised negated, ``sense = -1``) with the budget row."""
    w = feature_weights(data, dict(c.weights), "objective.weights")
    utility = np.asarray(data.rij.T @ w).ravel()
    b.add_cost(x, -utility)  # minimise the negated utility
    b.sense = -1
    b.add_rows("budget", sp.csr_matrix(data.cost.reshape(1, -1)), -np.inf, c.budget)


def compile_min_shortfall(c: MinShortfall, b: ModelBuilder, data: PlanningData, x: slice, targets: np.ndarray) -> None:
    """``min sum_j w_j s_j / t_j`` with ``r_j . x + s_j >= t_j`` (tag ``"shortfall"``) and the budget row."""
    has = np.flatnonzero(np.isfinite(targets) & (np.nan_to_num(targets) > 0))
    w = feature_weights(data, dict(c.weights), "objective.weights")[has]
    t = targets[has]
    labels = tuple(data.features[j] for j in has)
    s = b.add_columns("shortfall", has.size, lower=0.0, upper=t, cost=w / t, labels=labels)
    # r_j . x + s_j >= t_j
    k = has.size
    block = sp.hstack([data.rij[has], sp.csr_matrix((k, s.start - x.stop)), sp.eye(k)], format="csr")
    b.add_rows("shortfall", block, t, np.inf, labels=labels)
    b.add_rows("budget", sp.csr_matrix(data.cost.reshape(1, -1)), -np.inf, c.budget)
    b.sense = 1


def _with_targets(targets: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.isfinite(targets) & (np.nan_to_num(targets) > 0))


def compile_min_largest_shortfall(c: MinLargestShortfall, b: ModelBuilder, data: PlanningData, x: slice,
                                  targets: np.ndarray) -> None:
    """``min z`` with ``r_j . x + s_j >= t_j`` (tag ``"shortfall"``), ``z - w_j s_j / t_j >= 0`` (tag
    ``"largest_shortfall"``) and the budget row."""
    has = _with_targets(targets)
    w = feature_weights(data, dict(c.weights), "objective.weights")[has]
    t = targets[has]
    labels = tuple(data.features[j] for j in has)
    k = has.size
    s = b.add_columns("shortfall", k, lower=0.0, upper=t, labels=labels)
    z = b.add_columns("largest_shortfall", 1, lower=0.0, upper=float(w.max()) if k else 0.0, cost=1.0)
    block = sp.hstack([data.rij[has], sp.csr_matrix((k, s.start - x.stop)), sp.eye(k)], format="csr")
    b.add_rows("shortfall", block, t, np.inf, labels=labels)
    rows = sp.csr_matrix((np.concatenate([-w / t, np.ones(k)]),
                          (np.concatenate([np.arange(k), np.arange(k)]),
                           np.concatenate([s.start + np.arange(k), np.full(k, z.start)]))), shape=(k, z.stop))
    b.add_rows("largest_shortfall", rows, 0.0, np.inf, labels=labels)
    b.add_rows("budget", sp.csr_matrix(data.cost.reshape(1, -1)), -np.inf, c.budget)
    b.sense = 1


def compile_max_features_met(c: MaxFeaturesMet, b: ModelBuilder, data: PlanningData, x: slice,
                             targets: np.ndarray) -> None:
    """``max sum_j w_j y_j`` (minimised negated, ``sense = -1``) with binary ``y_j`` (tag ``"met"``),
    ``r_j . x - t_j y_j >= 0`` (tag ``"met"``) and the budget row."""
    has = _with_targets(targets)
    w = feature_weights(data, dict(c.weights), "objective.weights")[has]
    t = targets[has]
    labels = tuple(data.features[j] for j in has)
    k = has.size
    b.add_cost(x, tie_break_scale(w, data.cost) * data.cost)  # the cheapest among equal counts
    y = b.add_columns("met", k, lower=0.0, upper=1.0, integer=True, cost=-w, labels=labels)
    block = sp.hstack([data.rij[has], sp.csr_matrix((k, y.start - x.stop)), -sp.diags(t)], format="csr")
    b.add_rows("met", block, 0.0, np.inf, labels=labels)
    b.add_rows("budget", sp.csr_matrix(data.cost.reshape(1, -1)), -np.inf, c.budget)
    b.sense = -1


def compile_max_cover(c: MaxCover, b: ModelBuilder, data: PlanningData, x: slice, targets: np.ndarray) -> None:
    """``max sum_j w_j y_j - s c . x`` (minimised negated) with ``sum_{i: r_ij > 0} x_i - y_j >= 0``
    (tag ``"covered"``) and the budget row."""
    w = feature_weights(data, dict(c.weights), "objective.weights")
    k = data.n_features
    present = sp.csr_matrix(data.rij > 0, dtype=np.float64)
    b.add_cost(x, tie_break_scale(w, data.cost) * data.cost)
    y = b.add_columns("covered", k, lower=0.0, upper=1.0, integer=True, cost=-w, labels=tuple(data.features))
    block = sp.hstack([present, sp.csr_matrix((k, y.start - x.stop)), -sp.eye(k)], format="csr")
    b.add_rows("covered", block, 0.0, np.inf, labels=tuple(data.features))
    b.add_rows("budget", sp.csr_matrix(data.cost.reshape(1, -1)), -np.inf, c.budget)
    b.sense = -1


def compile_min_penalties(c: MinPenalties, b: ModelBuilder, data: PlanningData, x: slice, targets: np.ndarray) -> None:
    """No cost on ``x`` (the penalties add theirs) and the budget row; the target rows come with
    every objective whose targets are hard."""
    b.add_rows("budget", sp.csr_matrix(data.cost.reshape(1, -1)), -np.inf, c.budget)
    b.sense = 1


def compile_max_phylo(c: MaxPhylo, b: ModelBuilder, data: PlanningData, x: slice, targets: np.ndarray) -> None:
    """``max sum_b v_b m_b - s c . x`` (minimised negated) with binary ``y_j`` (tag ``"met"``),
    ``r_j . x - t_j y_j >= 0``, ``m_b - sum_{j in T(b)} y_j <= 0`` (tag ``"branch"``) and the budget."""
    missing = [data.features[j] for j in np.flatnonzero(~np.isfinite(targets))]
    if missing:
        raise ScenarioError(f"every feature of the tree needs a target; {missing[:5]} have none", "targets")
    T, v = c.branch_values(data)
    k, nb = data.n_features, v.size
    b.add_cost(x, tie_break_scale(v, data.cost) * data.cost)
    y = b.add_columns("met", k, lower=0.0, upper=1.0, integer=True, labels=tuple(data.features))
    block = sp.hstack([data.rij, sp.csr_matrix((k, y.start - x.stop)), -sp.diags(targets)], format="csr")
    b.add_rows("met", block, 0.0, np.inf, labels=tuple(data.features))
    b.add_columns("branch", nb, lower=0.0, upper=1.0, cost=-v)
    rows = sp.hstack([sp.csr_matrix((nb, y.start)), -T.T.tocsr(), sp.eye(nb)], format="csr")
    b.add_rows("branch", rows, -np.inf, 0.0)
    b.add_rows("budget", sp.csr_matrix(data.cost.reshape(1, -1)), -np.inf, c.budget)
    b.sense = -1


OBJECTIVE_FORMULATIONS = {MinSet: compile_min_set, MaxUtility: compile_max_utility, MinShortfall: compile_min_shortfall,
                          MinLargestShortfall: compile_min_largest_shortfall, MaxFeaturesMet: compile_max_features_met,
                          MaxCover: compile_max_cover, MinPenalties: compile_min_penalties, MaxPhylo: compile_max_phylo}
"""The formulation of each objective type: ``f(objective, builder, data, x, targets)``."""
