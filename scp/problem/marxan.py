"""The problem a Marxan project describes (Marxan's objective with exact targets)."""

from __future__ import annotations

from ..data.checks import non_negative
from ..data.io.marxan import MarxanProject
from .problem import Problem


def marxan_problem(project: MarxanProject, blm: float | None = None) -> Problem:
    """The problem Marxan scores: min cost + BLM x boundary s.t. the targets and status locks.

    Mathematical formulation
    ------------------------
    ``min sum_i c_i x_i + BLM (sum_i e_i x_i - 2 sum_{i<j} b_ij x_i x_j)`` s.t.
    ``sum_i r_ij x_i >= t_j`` for every feature, with ``e_i`` the unit's total boundary (Marxan's
    boundary length of a selection; ``blm`` overrides the project's ``BLM``).
    """
    data = project.data
    p = Problem(data).min_set().absolute_targets(dict(zip(data.features, project.targets.tolist())))
    b = project.blm if blm is None else non_negative(blm, "blm", " (the boundary length modifier)")
    if b > 0 and data.boundary is not None:
        p = p.boundary_penalty(b, edge_factor=1.0)
    return p
