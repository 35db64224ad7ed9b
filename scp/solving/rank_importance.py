"""Rank importance of the selected units by incremental budgets (Jung et al. 2021; prioritizr's
``eval_rank_importance``).

Procedure
---------
Units outside the solution are locked out. For budgets ``B_1 < ... < B_K`` (given, or ``K``
equal steps from the cost of the locked-in units to the solution's cost), the problem with a
budget-limited objective at ``B_k`` (the problem's own when it has a budget; minimum shortfall
over its targets for a minimum-set problem; or the one named) is solved with the units chosen
at earlier steps locked in; units chosen first at step ``k`` get rank ``K - k + 1``. Units of the
solution never chosen get 0; units outside it NaN. With ``rescale`` the positive ranks are mapped
onto ``[0.01, 1]`` (:func:`scp.results.importance.rescaled`). A unit chosen at a small budget is
a cost-effective one for the objective: the higher the rank, the more important.

References
----------
Jung et al. (2021) Areas of global importance for conserving terrestrial biodiversity, carbon and
water. Nature Ecology and Evolution 5:1499-1509; prioritizr ``R/eval_rank_importance.R``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import Infeasible, ScenarioError
from ..problem.constraints import status_masks
from ..results.importance import rescaled
from .pipeline import solve

BUDGETED = ("min_shortfall", "max_utility", "min_largest_shortfall", "max_features_met", "max_cover")


@dataclass
class RankImportance:
    """Ranks per unit and, per step, its budget, objective, status and gap."""

    ranks: np.ndarray
    budgets: np.ndarray
    objectives: list[float] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    gaps: list[float] = field(default_factory=list)


def _objective_name(problem, objective: str | None) -> str:
    if objective is None:
        objective = "min_shortfall" if problem.objective.name == "min_set" else problem.objective.name
    if objective not in BUDGETED:
        raise ScenarioError(f"rank importance needs a budget-limited objective; {objective!r} is not one of "
                            f"{list(BUDGETED)}", "importance.objective")
    return objective


def rank_importance(problem, selection, *, n: int | None = None, budgets=None, objective: str | None = None,
                    weights=None, solver: str = "highs", gap: float = 0.0, time_limit: float | None = None,
                    rescale: bool = True) -> RankImportance:
    """Ranks of the units of ``selection`` (module docstring); give ``n`` steps or the ``budgets``."""
    sel = np.asarray(selection, dtype=np.float64) > 0
    data = problem.data
    if problem.decisions.continuous:
        raise ScenarioError("rank importance takes binary decisions", "decisions")
    if not sel.any():
        raise ScenarioError("the solution selects no unit", "importance")
    name = _objective_name(problem, objective)
    locked_in, _ = status_masks(data, problem.constraints)
    if (n is None) == (budgets is None):
        raise ScenarioError("give either n (the number of steps) or budgets, not both", "importance")
    if budgets is None:
        if not 2 <= int(n) <= int(sel.sum()):
            raise ScenarioError(f"n = {n} must be at least 2 and at most the {int(sel.sum())} units selected",
                                "importance.n")
        low, high = float(data.cost[locked_in & sel].sum()), float(data.cost[sel].sum())
        budgets = np.linspace(low, high, int(n) + 1)[1:]
    budgets = np.asarray(budgets, dtype=np.float64)
    if budgets.ndim != 1 or budgets.size < 2 or not np.isfinite(budgets).all() or (np.diff(budgets) < 0).any():
        raise ScenarioError("budgets must be at least two finite numbers in increasing order", "importance.budgets")
    base = replace(problem, targets=()) if name in ("max_utility", "max_cover") else problem
    if (~sel).any():
        base = base.locked_out(~sel & ~locked_in)
    ranks = np.where(sel, 0.0, np.nan)
    chosen = np.zeros(data.n_pu, dtype=bool)
    out = RankImportance(ranks, budgets)
    weights = weights if weights is not None else dict(getattr(problem.objective, "weights", {}) or {}) or None
    K = budgets.size
    for k, b in enumerate(budgets):
        step = getattr(base, name)(float(b), weights)
        if chosen.any():
            step = step.locked_in(chosen & ~locked_in)
        try:
            sol = solve(step, solver, gap=gap, time_limit=time_limit, warm_start=chosen if chosen.any() else None)
        except Infeasible as exc:
            raise Infeasible(f"step {k + 1} of the rank importance (budget {b:,.6g}) is infeasible; give larger "
                             "budgets", [str(exc)]) from None
        new = sol.selection & sel & ~chosen
        ranks[new] = K - k
        chosen |= sol.selection & sel
        out.objectives.append(sol.objective)
        out.statuses.append(sol.status.value)
        out.gaps.append(sol.gap)
    out.ranks = rescaled(np.where(ranks > 0, ranks, np.where(sel, 0.0, np.nan))) if rescale else ranks
    return out
