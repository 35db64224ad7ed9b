"""Presolve checks in domain words, run before any solver is called.

Each check returns sentences a planner understands: which feature cannot reach its
target and by how much, whether the budget is below the cost of the locked-in units,
whether a coverage share is out of reach with the units that are locked out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from ..problem.constraints import Budget, Coverage, GroupTarget, status_masks
from ..problem.decisions import decision_range
from ..problem.graph import Neighbours
from ..problem.objectives import hard_targets

if TYPE_CHECKING:  # pragma: no cover
    from .model import Model
    from ..problem.problem import Problem


def _fmt(v: float) -> str:
    return f"{v:,.6g}"


def _share(f: float) -> str:
    """A share as a percentage with as many digits as it needs (0.999 -> 99.9%, never 100%)."""
    return f"{100 * f:.6g}%"


def _largest_values(problem: "Problem", locked_in: np.ndarray, locked_out: np.ndarray) -> tuple[np.ndarray, bool]:
    """The largest value each decision may take (0 when locked out) and whether any bound caps
    a decision below 1."""
    cap = decision_range(problem)[1]
    most = np.where(locked_out, 0.0, np.where(locked_in, problem.decisions.upper, cap))
    return most, bool((cap < 1.0).any())


def _positive_amounts(data):
    """The feature amounts with negative ones set to 0 (a selection can leave those units out)."""
    return data.rij.maximum(0) if data.signed_features.any() else data.rij


def infeasibility_reasons(problem: "Problem") -> list[str]:
    """Reasons why ``problem`` cannot be feasible, each sufficient on its own (empty if none found)."""
    data = problem.data
    reasons: list[str] = []
    locked_in, locked_out = status_masks(data, problem.constraints)
    both = locked_in & locked_out
    if both.any():
        ids = data.ids[both][:5].tolist()
        reasons.append(f"{int(both.sum())} unit(s) are both locked in and locked out (PU ids {ids})")
    most, capped = _largest_values(problem, locked_in, locked_out)
    held_at = " (each at its largest share)" if capped else ""
    if hard_targets(problem.objective):
        t = problem.resolved_targets()
        reachable = np.asarray(_positive_amounts(data) @ most).ravel()
        short = np.isfinite(t) & (t > reachable * (1 + 1e-9) + 1e-12)
        for j in np.flatnonzero(short):
            reasons.append(
                f"target of feature {data.features[j]!r} is {_fmt(t[j])} but units that are not locked "
                f"out{held_at} hold at most {_fmt(reachable[j])} (short by {_fmt(t[j] - reachable[j])}); "
                "lower the target or unlock units that hold it" + (" or raise their upper bounds" if capped else "")
            )
    locked_cost = float(data.cost[locked_in].sum())
    budgets = [c.amount for c in problem.constraints if isinstance(c, Budget)]
    if getattr(problem.objective, "budget", None) is not None:
        budgets.append(problem.objective.budget)
    for amount in budgets:
        if locked_cost > amount * (1 + 1e-9):
            reasons.append(
                f"budget {_fmt(amount)} is below the cost of the locked-in units ({_fmt(locked_cost)}); "
                "raise the budget or lock fewer units in"
            )
    for c in problem.constraints:
        if isinstance(c, Coverage):
            for label, mask in c.groups(data):
                need = c.fraction * float(data.area[mask].sum())
                can = float(data.area[mask] @ most[mask])
                if need > can * (1 + 1e-9) + 1e-12:
                    where = "the planning region" if label == "total" else f"jurisdiction {label!r}"
                    reasons.append(
                        f"coverage of {_share(c.fraction)} of {where} needs area {_fmt(need)} but units "
                        f"that are not locked out cover only {_fmt(can)}; lower the share or unlock units"
                    )
        elif isinstance(c, GroupTarget):
            need = c.amount(data)
            can = float(np.asarray(data.rij[c.indices(data)] @ most).sum())
            if need > can * (1 + 1e-9) + 1e-12:
                reasons.append(f"group target {c.name!r} is {_fmt(need)} but units that are not locked out hold at "
                               f"most {_fmt(can)} of {', '.join(c.features)}; lower it or unlock units")
    for c in problem.constraints:
        if isinstance(c, Neighbours):
            why = c.impossible(data, locked_in)
            if why:
                reasons.append(why)
    return reasons


def coefficient_warnings(model: "Model", limit: float = 1e9) -> list[str]:
    """Warn when nonzero coefficient magnitudes span more than ``limit`` (numerical trouble)."""
    out = []
    for name, values in (("constraint matrix", model.A.data), ("objective", model.c)):
        v = np.abs(values[values != 0])
        if v.size and v.max() > limit * v.min():
            out.append(
                f"{name} coefficients range from {v.min():.3g} to {v.max():.3g} (ratio {v.max() / v.min():.2g}); "
                "rescale costs, amounts or penalties (e.g. to thousands) to avoid numerical trouble"
            )
    return out


NECESSARY_MARGIN = 2e-6
"""A unit counts as necessary only when the features' other units fall short of a target ``t`` by
more than ``NECESSARY_MARGIN * max(1, |t|)``: twice the tolerance within which
:func:`scp.evaluate` counts a target as met, so no selection it accepts is ever excluded."""


def necessary_units(problem: "Problem") -> np.ndarray:
    """Units that every feasible selection holds: locked in, or holding so much of a feature with
    a hard target that the most the feature's other units can give (negative amounts left out,
    each unit at its largest value, locked-out units at 0) falls short of it::

        R_f - a+_fi u_i < t_f - NECESSARY_MARGIN max(1, t_f)   =>   x_i = 1,

    with ``a+`` the positive parts of the amounts, ``u`` the largest values and ``R_f = a+_f . u``.
    (Boolean mask; only the locked-in units when the objective has no hard targets.)"""
    data = problem.data
    locked_in, locked_out = status_masks(data, problem.constraints)
    if not hard_targets(problem.objective):
        return locked_in
    targets = problem.resolved_targets()
    has = np.flatnonzero(np.isfinite(targets) & (targets > 0))
    if has.size == 0:
        return locked_in
    most, _ = _largest_values(problem, locked_in, locked_out)
    given = sp.csr_matrix(_positive_amounts(data)[has]).multiply(most[None, :]).tocoo()  # a+_fi u_i
    room = np.asarray(given.sum(axis=1)).ravel() - targets[has] + NECESSARY_MARGIN * np.maximum(1.0, targets[has])
    needed = np.zeros(data.n_pu, dtype=bool)
    needed[given.col[(given.data > 0) & (given.data > room[given.row])]] = True
    return locked_in | (needed & ~locked_out)
