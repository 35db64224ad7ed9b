"""Breakdowns of a selection for reports: per jurisdiction, existing vs added, per feature
and jurisdiction, and the objective split into its terms.

All are pure functions of ``(problem, selection)`` (or of an :class:`Evaluation`), computed
with vectorised sums over the planning units.

Definitions
-----------
For a set of units ``K`` (a jurisdiction, or the whole region) and the selection ``x``:

* existing: selected units that are locked in (``status = 1``: reserves kept by the plan);
* added: selected units that are not locked in;
* coverage ``C_K = sum_{i in K} a_i x_i / sum_{i in K} a_i``, shown beside the largest
  coverage floor ``f_K`` the problem sets on ``K`` (``sum_{i in K} a_i x_i >= f_K a(K)``), and
  flagged short when ``C_K < f_K``;
* feature share ``h_jK = sum_{i in K} r_ij x_i / sum_{i in K} r_ij``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..data.planning_data import LOCKED_IN
from ..problem.constraints import Coverage
from .evaluate import TOL, decision_values

if TYPE_CHECKING:  # pragma: no cover
    from ..problem.problem import Problem
    from .evaluate import Evaluation


def coverage_floors(problem: "Problem") -> dict[str, float]:
    """The largest coverage floor on each set (``"total"`` or a jurisdiction label)."""
    floors: dict[str, float] = {}
    for c in problem.constraints:
        if isinstance(c, Coverage):
            for label, _ in c.groups(problem.data):
                floors[label] = max(floors.get(label, 0.0), float(c.fraction))
    return floors


def jurisdiction_rows(problem: "Problem", selection) -> list[dict]:
    """One row per jurisdiction and a ``"total"`` row: units, area, cost and coverage, split into
    existing (locked-in) and added units, with the coverage floor and whether it is met."""
    data = problem.data
    x = decision_values(problem, selection)  # 0/1, or the managed shares (areas and costs pro rata)
    sel = x > 0
    existing = sel & (data.status == LOCKED_IN)
    added = sel & ~existing
    floors = coverage_floors(problem)
    groups = [(k, data.jurisdiction == k) for k in data.jurisdictions] if data.jurisdiction is not None else []
    groups.append(("total", np.ones(data.n_pu, dtype=bool)))
    rows = []
    a, c = data.area * x, data.cost * x
    for label, m in groups:
        area = float(data.area[m].sum())
        row = {"jurisdiction": label, "units": int(m.sum()), "area": area,
               "existing_units": int((existing & m).sum()), "existing_area": float(a[existing & m].sum()),
               "existing_cost": float(c[existing & m].sum()),
               "added_units": int((added & m).sum()), "added_area": float(a[added & m].sum()),
               "added_cost": float(c[added & m].sum())}
        row["selected_area"] = row["existing_area"] + row["added_area"]
        row["cost"] = row["existing_cost"] + row["added_cost"]
        row["coverage"] = row["selected_area"] / area if area > 0 else 0.0
        floor = floors.get(label)
        row["coverage_target"] = floor
        row["coverage_met"] = None if floor is None else bool(
            row["selected_area"] >= floor * area - TOL * max(1.0, area))
        rows.append(row)
    return rows


def feature_shares_by_jurisdiction(problem: "Problem", selection) -> dict[str, dict[str, float | None]]:
    """``{feature: {jurisdiction: share held}}``; ``None`` where the feature is absent."""
    data = problem.data
    if data.jurisdiction is None:
        return {}
    x = decision_values(problem, selection)
    out: dict[str, dict[str, float | None]] = {f: {} for f in data.features}
    for label in data.jurisdictions:
        m = (data.jurisdiction == label).astype(np.float64)
        total = np.asarray(data.rij @ m).ravel()
        held = np.asarray(data.rij @ (m * x)).ravel()
        for j, f in enumerate(data.features):
            out[f][label] = float(held[j] / total[j]) if total[j] > 0 else None
    return out


def objective_terms(evaluation: "Evaluation", objective: str) -> list[tuple[str, float]]:
    """The objective as a sum of named terms, ending with the objective itself.

    Minimum set: ``cost + sum of penalties = objective``; maximum utility: ``utility - penalties``
    (penalties listed with a minus sign); minimum shortfall: ``weighted shortfall + penalties``.
    """
    pens = [(f"{name.replace(':', ' ')} penalty", float(v)) for name, v in evaluation.penalties.items()]
    if objective == "min_set":
        head = [("cost", evaluation.cost)]
    elif objective == "min_penalties":
        head = []
    elif objective in ("max_utility", "max_features_met", "max_cover", "max_phylo_diversity", "max_phylo_endemism"):
        label = {"max_utility": "utility", "max_features_met": "features met (less the cost tie-break)",
                 "max_cover": "features covered (less the cost tie-break)",
                 "max_phylo_diversity": "phylogenetic diversity (less the cost tie-break)",
                 "max_phylo_endemism": "phylogenetic endemism (less the cost tie-break)"}[objective]
        head = [(label, evaluation.objective + sum(v for _, v in pens))]
        pens = [(k, -v) for k, v in pens]
    else:
        head = [("largest weighted shortfall" if objective == "min_largest_shortfall" else "weighted shortfall",
                 evaluation.objective - sum(v for _, v in pens))]
    return head + pens + [("objective", evaluation.objective)]
