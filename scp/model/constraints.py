"""Formulations of the constraints on ``x`` (see :mod:`scp.problem.constraints` for the
mathematics): column bounds for locks, one tagged row block for each other constraint."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..data import PlanningData
from ..errors import ScenarioError
from ..problem.constraints import Budget, Coverage, GroupTarget, Linear, Locked
from .model import ModelBuilder


def compile_locked(c: Locked, b: ModelBuilder, data: PlanningData, x: slice, full: float = 1.0) -> None:
    """Column bounds: ``x_i = full`` (the decisions' maximum) or ``x_i = 0`` on the mask."""
    if c.value == 1:
        b.set_bounds(x, lower=full, upper=full, where=c.mask)
    else:
        b.set_bounds(x, lower=0.0, upper=0.0, where=c.mask)


def compile_budget(c: Budget, b: ModelBuilder, data: PlanningData, x: slice) -> None:
    """``sum_i c_i x_i <= B`` (tag ``"budget"``)."""
    b.add_rows("budget", sp.csr_matrix(data.cost.reshape(1, -1)), -np.inf, c.amount)


def compile_coverage(c: Coverage, b: ModelBuilder, data: PlanningData, x: slice) -> None:
    """``sum_{i in K} (a_i / A_K) x_i >= f`` for each set ``K`` (tag ``"coverage:LABEL"``)."""
    for label, mask in c.groups(data):
        a = np.where(mask, data.area, 0.0)
        total = a.sum()
        share = a / total if total > 0 else a
        b.add_rows(f"coverage:{label}", sp.csr_matrix(share.reshape(1, -1)), c.fraction, np.inf)


def compile_linear(c: Linear, b: ModelBuilder, data: PlanningData, x: slice) -> None:
    """``g . x (<=, >=, ==) h`` (tag ``"linear:NAME"``)."""
    if c.coefficients.shape != (data.n_pu,):
        raise ScenarioError(f"{c.coefficients.shape[0]} coefficients for {data.n_pu} PUs",
                            f"constraints.{c.name}")
    lo = c.rhs if c.sense in (">=", "==") else -np.inf
    up = c.rhs if c.sense in ("<=", "==") else np.inf
    b.add_rows(f"linear:{c.name}", sp.csr_matrix(c.coefficients.reshape(1, -1)), lo, up)


def compile_group_target(c: GroupTarget, b: ModelBuilder, data: PlanningData, x: slice) -> None:
    """``sum_{j in G} r_j . x >= t_G`` (tag ``"group_target:NAME"``)."""
    row = sp.csr_matrix(np.asarray(data.rij[c.indices(data)].sum(axis=0)).reshape(1, -1))
    b.add_rows(f"group_target:{c.name}", row, c.amount(data), np.inf)


CONSTRAINT_FORMULATIONS = {Locked: compile_locked, Budget: compile_budget, Coverage: compile_coverage, Linear: compile_linear,
                           GroupTarget: compile_group_target}
"""The formulation of each constraint type: ``f(constraint, builder, data, x)``."""
