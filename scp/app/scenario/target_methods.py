"""The scenario's ``target_rules`` and ``target_methods`` (tables of per-feature choices) applied
to a problem."""

from __future__ import annotations

from ...errors import ScenarioError
from ...problem import Problem


def feature_column(path: str, column: str, features, where: str) -> dict[str, str]:
    """``feature -> value`` from the CSV ``path`` (columns ``feature`` and ``column``; empty cells
    skipped); errors name ``where`` and the unknown features."""
    import pandas as pd

    table = pd.read_csv(path)
    for col in ("feature", column):
        if col not in table.columns:
            raise ScenarioError(f"{path} has no column {col!r} (columns: {list(table.columns)})",
                                f"{where}.column" if col == column else f"{where}.file")
    rows = table.dropna(subset=[column])
    unknown = sorted(set(rows["feature"].astype(str)) - set(features))
    if unknown:
        raise ScenarioError(f"{path} names features the data do not have: {unknown[:5]}", f"{where}.file")
    return dict(zip(rows["feature"].astype(str), rows[column].astype(str)))


def rule_targets_of(s, features) -> dict[str, float]:
    """``target_rules``: the CSV's categories per feature, mapped to shares."""
    from ...problem.targets import rule_targets

    r = s.target_rules
    return rule_targets(feature_column(r.file, r.column, features, "target_rules"), r.shares)


def apply_target_methods(s, p: Problem) -> Problem:
    """``p`` with the absolute targets of ``target_methods`` (a method per feature from
    ``features``, the CSV ``file``, else ``default``)."""
    tm = s.target_methods
    if tm is None:
        return p
    if s.targets_within == "jurisdiction":
        raise ScenarioError("target methods set targets from whole ranges; remove targets_within: jurisdiction",
                            "target_methods")
    methods: dict[str, object] = {}
    if tm.file is not None:
        methods.update(feature_column(tm.file, tm.column, p.data.features, "target_methods"))
    methods.update(tm.features)
    return p.auto_targets(methods, tm.default, tm.area_unit, s.relative_to)
