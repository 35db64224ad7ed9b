"""Representation targets.

A target ``t_j`` is the amount of feature ``j`` that the selection must hold:

* absolute: ``t_j`` given in the feature's units;
* relative: ``t_j = rho_j * sum_i r_ij`` (a share ``rho_j in [0, 1]`` of the feature's total
  over all planning units, locked-out units included, as in prioritizr and Marxan's ``prop``).

Specifications are applied in order; a later one overrides an earlier one for the
features it names (``feature=None`` means every feature). In the minimum-set objective
each target becomes the row ``sum_i r_ij x_i >= t_j`` (tag ``"target"``).

References
----------
Ball, Possingham & Watts (2009) Marxan and relatives, in *Spatial Conservation
Prioritization*, OUP. Hanson et al. (2025) prioritizr, *Conservation Biology*.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..data import PlanningData
from ..errors import DataError, ScenarioError


@dataclass(frozen=True)
class TargetSpec:
    """One target specification: ``kind`` is ``"relative"`` or ``"absolute"``."""

    kind: str
    value: float
    feature: str | None = None

    def __post_init__(self) -> None:
        where = f"targets.{self.feature or 'all'}.{self.kind}"
        if self.kind not in ("relative", "absolute"):
            raise ScenarioError(f"unknown target kind {self.kind!r}; use 'relative' or 'absolute'", where)
        try:
            v = float(self.value)
        except (TypeError, ValueError):
            raise ScenarioError(f"{self.value!r} is not a number", where) from None
        if not np.isfinite(v):
            raise ScenarioError(f"{self.value!r} is not a finite number", where)
        if self.kind == "relative" and not 0.0 <= v <= 1.0:
            raise ScenarioError(f"{v} is not in [0, 1] (a share of the feature's total; 0.3 means 30%)", where)
        if self.kind == "absolute" and v < 0:
            raise ScenarioError(f"{v} is negative; an absolute target is an amount >= 0", where)
        object.__setattr__(self, "value", v)


def target_specs(kind: str, value: float | Mapping[str, float]) -> tuple[TargetSpec, ...]:
    """Expand a scalar (every feature) or a ``{feature: value}`` mapping into specs."""
    if isinstance(value, Mapping):
        return tuple(TargetSpec(kind, v, str(f)) for f, v in value.items())
    return (TargetSpec(kind, value, None),)


def resolve_targets(data: PlanningData, specs: tuple[TargetSpec, ...]) -> np.ndarray:
    """Absolute target per feature, ``NaN`` where no specification applies.

    Returns
    -------
    numpy.ndarray of shape (m,)
    """
    totals = data.feature_totals
    t = np.full(data.n_features, np.nan)
    for s in specs:
        if s.feature is None:
            idx = slice(None)
        else:
            try:
                idx = data.feature_index(s.feature)
            except DataError as exc:
                raise ScenarioError(str(exc), f"targets.{s.feature}") from None
        t[idx] = s.value * totals[idx] if s.kind == "relative" else s.value
    return t
