"""Representation targets.

A target ``t_j`` is the amount of feature ``j`` that the selection must hold:

* absolute: ``t_j`` given in the feature's units;
* relative: ``t_j = rho_j * T_j``, a share ``rho_j in [0, 1]`` of the feature's total ``T_j``:
  by default over all planning units, locked-out units included (``base="planning_units"``, as
  Marxan's ``prop``); or over every cell with data, planning unit or not
  (``base="all_data"``: grid cells with data but no cost count too, as prioritizr's relative
  targets do). The default stays with the units because a target asked of land outside the
  planning region may be out of reach; ``all_data`` is for a region that is part of a larger
  range, where a share of the whole range is meant.

Features may have negative amounts (a threat layer; ``PlanningData`` ``negative_features``): their
targets must be absolute (a share of a total that mixes signs means nothing), and a target row
``sum_i r_ij x_i >= t_j`` then asks the plan to hold at least ``t_j`` net of the negative parts.

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
    cap: float | None = None  # relative targets only: at most this amount
    base: str = "planning_units"  # relative targets only: total over "planning_units" or "all_data"

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
        object.__setattr__(self, "value", v)
        if self.cap is not None:
            if self.kind != "relative":
                raise ScenarioError("a cap applies to relative targets only", f"{where}.cap")
            c = float(self.cap)
            if not np.isfinite(c) or c < 0:
                raise ScenarioError(f"cap {self.cap!r} must be an amount >= 0", f"{where}.cap")
            object.__setattr__(self, "cap", c)
        if self.base not in ("planning_units", "all_data"):
            raise ScenarioError(f"relative_to {self.base!r} must be 'planning_units' or 'all_data'",
                                f"{where}.relative_to")


def target_specs(kind: str, value: float | Mapping[str, float], cap: float | None = None,
                 base: str = "planning_units") -> tuple[TargetSpec, ...]:
    """Expand a scalar (every feature) or a ``{feature: value}`` mapping into specs (``cap``: the
    largest amount a relative target may ask; Butchart et al. 2015; ``base``: the total a relative
    target is a share of)."""
    if isinstance(value, Mapping):
        return tuple(TargetSpec(kind, v, str(f), cap, base) for f, v in value.items())
    return (TargetSpec(kind, value, None, cap, base),)


def resolve_targets(data: PlanningData, specs: tuple[TargetSpec, ...]) -> np.ndarray:
    """Absolute target per feature, ``NaN`` where no specification applies.

    Returns
    -------
    numpy.ndarray of shape (m,)
    """
    t = np.full(data.n_features, np.nan)
    for s in specs:
        totals = data.totals(s.base)
        if s.feature is None:
            idx = slice(None)
        else:
            try:
                idx = data.feature_index(s.feature)
            except DataError as exc:
                raise ScenarioError(str(exc), f"targets.{s.feature}") from None
        if s.kind == "relative":
            signed = np.atleast_1d(data.signed_features[idx])
            if signed.any():
                name = s.feature or np.array(data.features)[data.signed_features][0]
                raise ScenarioError(f"feature {name!r} has negative amounts, so a share of its total means nothing; "
                                    "give it an absolute target (or none)", f"targets.{s.feature or 'default'}")
            t[idx] = s.value * totals[idx] if s.cap is None else np.minimum(s.value * totals[idx], s.cap)
        else:
            if s.value < 0 and not np.atleast_1d(data.signed_features[idx]).all():
                raise ScenarioError(f"{s.value:g} is negative; an absolute target is an amount >= 0 (a negative one "
                                    "only for features with negative amounts)", f"targets.{s.feature or 'all'}.absolute")
            t[idx] = s.value
    return t


def loglinear_targets(totals: np.ndarray, lower_amount: float, lower_target: float, upper_amount: float,
                      upper_target: float, cap_amount: float | None = None,
                      cap_target: float | None = None) -> np.ndarray:
    """Absolute targets by log-linear interpolation of the share on the feature's total amount
    (Rodrigues et al. 2004; prioritizr ``add_loglinear_targets``)::

        share(a) = lower_target                                  a <= lower_amount
                 = upper_target                                  a >= upper_amount
                 = lower_target + (ln a - ln lower_amount) / (ln upper_amount - ln lower_amount)
                                  * (upper_target - lower_target)  in between
        target(a) = share(a) * a,   or cap_target when a > cap_amount (Butchart et al. 2015)
    """
    where = "loglinear_targets"
    for name, v in (("lower_amount", lower_amount), ("upper_amount", upper_amount)):
        if not np.isfinite(v) or v <= 0:
            raise ScenarioError(f"{v!r} must be a number > 0", f"{where}.{name}")
    if not upper_amount > lower_amount:
        raise ScenarioError(f"upper_amount {upper_amount:g} must be above lower_amount {lower_amount:g}", where)
    for name, v in (("lower_target", lower_target), ("upper_target", upper_target)):
        if not 0 <= v <= 1:
            raise ScenarioError(f"{v!r} is not in [0, 1] (a share of the feature's total)", f"{where}.{name}")
    if (cap_amount is None) != (cap_target is None):
        raise ScenarioError("give both cap_amount and cap_target, or neither", where)
    a = np.asarray(totals, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = (np.log(np.maximum(a, 1e-300)) - np.log(lower_amount)) / (np.log(upper_amount) - np.log(lower_amount))
    share = lower_target + np.clip(frac, 0.0, 1.0) * (upper_target - lower_target)
    t = share * a
    if cap_amount is not None:
        t = np.where(a > cap_amount, float(cap_target), t)
    return t


def rule_targets(categories: Mapping[str, str], shares: Mapping[str, float],
                 where: str = "target_rules") -> dict[str, float]:
    """Relative targets by a feature attribute (e.g. IUCN threat status or a range-size class):
    feature ``f`` gets ``shares[categories[f]]``. Every category used must have a share in
    ``[0, 1]``; features without a category get none (other targets may cover them)."""
    out = {}
    missing = sorted({c for c in categories.values() if c not in shares})
    if missing:
        raise ScenarioError(f"no share for categories {missing}; give one for each (known: {sorted(shares)})",
                            f"{where}.shares")
    for c, v in shares.items():
        if not 0 <= float(v) <= 1:
            raise ScenarioError(f"{v!r} is not in [0, 1] (a share of the feature's total)", f"{where}.shares.{c}")
    for f, c in categories.items():
        out[str(f)] = float(shares[c])
    return out
