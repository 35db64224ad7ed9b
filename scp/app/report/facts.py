"""What a report says, computed once from the solution and stored in ``summary.json``.

The report is re-rendered from ``summary.json`` and ``features.csv`` alone (``scplan report
DIR``), so everything it shows beyond the solver summary is gathered here: units, coverage vs
target and existing vs added per jurisdiction, feature shares per jurisdiction, the objective
split into its terms, the run date.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from ...results.breakdown import feature_shares_by_jurisdiction, jurisdiction_rows, objective_terms

FEATURE_COLUMNS = ["feature", "total", "target", "held", "share_held", "met", "shortfall"]
"""Columns every ``features.csv`` has (``unit`` and ``target_share`` are added when known)."""


def features_table(evaluation, data=None) -> pd.DataFrame:
    """One row per feature: unit, total, target, held, share held, target share, met, shortfall.

    Shares are fractions of the feature's total over all planning units (0.3 = 30%)."""
    rows = []
    for f in evaluation.features:
        share = f.held / f.total if f.total else 0.0
        tshare = f.target / f.total if f.total and np.isfinite(f.target) else float("nan")
        rows.append([f.name, f.total, f.target, f.held, share, bool(f.met), f.shortfall, tshare,
                     data.unit(f.name) if data is not None else ""])
    return pd.DataFrame(rows, columns=FEATURE_COLUMNS + ["target_share", "unit"])


def unit_labels(data) -> dict[str, str]:
    """Units of cost, area and boundary length, and of every feature ("" when unknown)."""
    out = {k: data.unit(k) for k in ("cost", "area", "boundary")}
    out["features"] = {f: data.unit(f) for f in data.features}
    return out


def report_facts(solution) -> dict:
    """The report's extra facts about ``solution`` (JSON-ready, merged into ``summary.json``)."""
    problem = solution.problem
    ev = solution.evaluation
    return {
        "objective_type": problem.objective.name,
        "units": unit_labels(problem.data),
        "by_jurisdiction": jurisdiction_rows(problem, solution.shares),
        "features_by_jurisdiction": feature_shares_by_jurisdiction(problem, solution.shares),
        "decisions": problem.decisions.kind,
        "objective_terms": [[k, v] for k, v in objective_terms(ev, problem.objective.name)],
        "relative_targets_base": sorted({t.base for t in problem.targets if t.kind == "relative"}),
        "run_date": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
    }
