"""Presolve checks in domain words for plans with zones (see :mod:`scp.model.presolve`).

Each check is sufficient on its own for infeasibility: a feature whose target (over all zones, or
over a set of zones) exceeds what the units could hold if each went to the zone where it counts
most for that feature (among the zones it may go to); a coverage or floor share above the area of
the units allowed in one of its zones; a budget below the cheapest cost of the units that must be
in some zone.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..problem.targets import resolve_targets
from ..problem.zoned import ZonedProblem


def _fmt(v: float) -> str:
    return f"{v:,.6g}"


def zoned_infeasibility_reasons(problem: ZonedProblem) -> list[str]:
    """Reasons why ``problem`` cannot be feasible (empty when none is found)."""
    data, zones = problem.data, problem.zones
    allowed, need_some = problem.allowed()
    H = zones.held(data.rij)
    reasons: list[str] = []

    def best_over(chosen, amounts=H) -> np.ndarray:
        """Per feature: the most the units can hold with each in its best allowed zone of ``chosen``
        (an element-wise maximum of sparse matrices; amounts are >= 0)."""
        best = sp.csr_matrix(amounts[0].shape)
        for k in chosen:  # a few zones
            best = best.maximum(sp.csr_matrix(amounts[k].multiply(allowed[:, k][None, :])))
        return np.asarray(best.sum(axis=1)).ravel()

    if problem.objective.name == "min_set":
        t = problem.resolved_targets()
        reach = best_over(range(zones.n_zones))
        for j in np.flatnonzero(np.isfinite(t) & (t > reach * (1 + 1e-9) + 1e-12)):
            reasons.append(f"target of feature {data.features[j]!r} is {_fmt(t[j])} but the units could hold at "
                           f"most {_fmt(reach[j])} with each in the zone where it counts most; lower the target, "
                           "raise the zones' contributions or unlock units")
    for zt in problem.zone_targets:
        t = resolve_targets(data, zt.specs)
        reach = best_over(zones.indices(zt.zones), problem.zone_target_amounts(zt, H))
        for j in np.flatnonzero(np.isfinite(t) & (t > reach * (1 + 1e-9) + 1e-12)):
            reasons.append(f"zone target of feature {data.features[j]!r} in {list(zt.zones)} is {_fmt(t[j])} but "
                           f"units allowed there hold at most {_fmt(reach[j])}")
    for zc in problem.coverages:
        names = zc.zones if zc.zones is not None else problem.target3_zones()
        ok = allowed[:, zones.indices(names)].any(axis=1)
        for label, mask in zc.coverage.groups(data):
            total = float(data.area[mask].sum())
            got = float(data.area[mask & ok].sum())
            if total > 0 and got < zc.coverage.fraction * total * (1 - 1e-9):
                reasons.append(f"coverage:{label} in {list(names)} asks {zc.coverage.fraction:.4g} of the area but "
                               f"units allowed in those zones cover {got / total:.4%}")
    budgets = [c.amount for c in problem.base.constraints if hasattr(c, "amount")]
    if getattr(problem.objective, "budget", None) is not None:
        budgets.append(problem.objective.budget)
    cheapest = np.where(allowed, zones.cost, np.inf).min(axis=1)
    must = float(cheapest[need_some].sum()) if need_some.any() else 0.0
    for amount in budgets:
        if must > amount * (1 + 1e-9):
            reasons.append(f"budget {_fmt(amount)} is below the cheapest cost of the units that must be in a zone "
                           f"({_fmt(must)}); raise the budget or lock fewer units in")
    stuck = need_some & ~allowed.any(axis=1)
    if stuck.any():
        reasons.append(f"{int(stuck.sum())} unit(s) must be in a zone but are locked out of every zone (PU ids "
                       f"{data.ids[stuck][:5].tolist()})")
    return reasons
