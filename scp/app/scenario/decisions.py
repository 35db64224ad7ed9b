"""The scenario's ``decisions`` and ``decision_bounds`` applied to a problem."""

from __future__ import annotations

import numpy as np

from ...problem import Problem


def apply_decisions(s, p: Problem, layers) -> Problem:
    """``p`` with the decision type and bounds and the neighbour penalty of scenario ``s``
    (``layers`` gives per-unit layers)."""
    if s.neighbour_penalty is not None and s.neighbour_penalty.penalty != 0:
        from ...errors import DataError, ScenarioError

        try:
            p = p.neighbour_penalty(s.neighbour_penalty.penalty, s.neighbour_penalty.directions)
        except DataError as exc:
            raise ScenarioError(str(exc), "neighbour_penalty") from None
    d = s.decisions
    if d.type == "proportion":
        p = p.proportion_decisions()
    elif d.type == "semicontinuous":
        p = p.semicontinuous_decisions(d.upper)
    b = s.decision_bounds
    if b is not None:
        n = p.data.n_pu
        lower = layers(b.lower, "decision_bounds.lower") if b.lower else np.zeros(n)
        upper = layers(b.upper, "decision_bounds.upper") if b.upper else np.full(n, p.decisions.upper)
        p = p.decision_bounds(lower, upper)
    return p
