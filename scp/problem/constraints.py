"""Constraints on the selection ``x`` (one row block each, tagged).

Mathematical formulation
------------------------
* Locked in / out: column bounds ``x_i = 1`` (``l_i = 1``) / ``x_i = 0`` (``u_i = 0``); the
  data's own status vector is always applied.
* Budget: ``sum_i c_i x_i <= B`` (tag ``"budget"``).
* Area coverage for a set ``K`` of units (all units, or one jurisdiction)::

      sum_{i in K} (a_i / A_K) x_i >= f,   A_K = sum_{i in K} a_i   (tag ``"coverage:total"``, ``"coverage:TKM"``)

  This is the GBF Target 3 "30%" constraint with ``f = 0.3``; the row is divided by
  ``A_K`` so that its coefficients are shares (well scaled whatever the area unit).
* General linear: ``sum_i g_i x_i (<=, >=, ==) h`` (tag ``"linear:NAME"``).

References
----------
Kunming-Montreal Global Biodiversity Framework (2022), Target 3.
Hanson et al. (2025) prioritizr, *Conservation Biology* (constraint grammar).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data.checks import non_negative, positions
from ..data import LOCKED_IN, LOCKED_OUT, PlanningData
from ..errors import ScenarioError


def pu_positions(data: PlanningData, ids: np.ndarray) -> np.ndarray:
    """Position of each id in ``data.ids`` (``-1`` where unknown), vectorised by sorting."""
    return positions(data.ids, ids)


def pu_mask(data: PlanningData, units, where: str) -> np.ndarray:
    """Boolean mask of PUs from a boolean mask or a list of PU ids, with clear errors."""
    arr = np.asarray(units)
    if arr.dtype == bool:
        if arr.shape != (data.n_pu,):
            raise ScenarioError(f"boolean mask has shape {arr.shape}, expected ({data.n_pu},)", where)
        return arr.copy()
    arr = arr.ravel()
    pos = pu_positions(data, arr)
    unknown = arr[pos < 0]
    if unknown.size:
        raise ScenarioError(f"unknown PU id(s) {unknown[:5].tolist()}; ids must be among the data's PU ids", where)
    mask = np.zeros(data.n_pu, dtype=bool)
    mask[pos] = True
    return mask


@dataclass(frozen=True, eq=False)
class Locked:
    """Lock units in (``value=1``) or out (``value=0``)."""

    mask: np.ndarray
    value: int


def status_masks(data: PlanningData, constraints) -> tuple[np.ndarray, np.ndarray]:
    """Final locked-in and locked-out masks: data status plus every :class:`Locked`."""
    locked_in = data.status == LOCKED_IN
    locked_out = data.status == LOCKED_OUT
    for c in constraints:
        if isinstance(c, Locked):
            if c.value == 1:
                locked_in = locked_in | c.mask
            else:
                locked_out = locked_out | c.mask
    return locked_in, locked_out


@dataclass(frozen=True)
class Budget:
    """Upper limit on total cost."""

    amount: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", non_negative(self.amount, "budget"))


@dataclass(frozen=True)
class Coverage:
    """Protect at least ``fraction`` of the area, overall (``by=None``) or in each jurisdiction.

    ``by`` is ``None`` (whole planning region), ``"jurisdiction"`` (every jurisdiction
    separately) or a tuple of jurisdiction labels.
    """

    fraction: float
    by: str | tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        try:
            f = float(self.fraction)
        except (TypeError, ValueError):
            raise ScenarioError(f"{self.fraction!r} is not a number", "coverage.fraction") from None
        if not 0.0 <= f <= 1.0:
            raise ScenarioError(f"{f} is not in [0, 1] (0.3 means 30% of the area)", "coverage.fraction")
        object.__setattr__(self, "fraction", f)
        if isinstance(self.by, list):
            object.__setattr__(self, "by", tuple(self.by))

    def groups(self, data: PlanningData) -> list[tuple[str, np.ndarray]]:
        """``(label, mask)`` of every set ``K`` this constraint covers."""
        if self.by is None:
            return [("total", np.ones(data.n_pu, dtype=bool))]
        if data.jurisdiction is None:
            raise ScenarioError("coverage by jurisdiction needs a jurisdiction layer in the data", "coverage.by")
        labels = data.jurisdictions if self.by == "jurisdiction" else tuple(self.by)
        unknown = [k for k in labels if k not in data.jurisdictions]
        if unknown:
            raise ScenarioError(f"unknown jurisdiction(s) {unknown}; the data have {list(data.jurisdictions)}",
                                "coverage.by")
        return [(k, data.jurisdiction == k) for k in labels]


@dataclass(frozen=True, eq=False)
class Linear:
    """General linear constraint ``coefficients @ x (sense) rhs`` on the PU decisions."""

    coefficients: np.ndarray
    sense: str
    rhs: float
    name: str = "linear"

    def __post_init__(self) -> None:
        where = f"constraints.{self.name}"
        if self.sense not in ("<=", ">=", "=="):
            raise ScenarioError(f"sense {self.sense!r} must be one of '<=', '>=', '=='", where)
        coef = np.asarray(self.coefficients, dtype=np.float64)
        if coef.ndim != 1 or not np.isfinite(coef).all():
            raise ScenarioError("coefficients must be a 1-D array of finite numbers (one per PU)", where)
        rhs = float(self.rhs)
        if not np.isfinite(rhs):
            raise ScenarioError(f"rhs {self.rhs!r} must be finite", where)
        object.__setattr__(self, "coefficients", coef)
        object.__setattr__(self, "rhs", rhs)


@dataclass(frozen=True)
class GroupTarget:
    """One target over a set of features together (e.g. 30% of all wetland types together)::

        sum_{j in G} sum_i r_ij x_i >= t_G,     t_G = share * sum_{j in G} total_j  (or an amount)

    The amounts of the features are added as they are, so the features of a group should share
    a unit (e.g. km² of each wetland type)."""

    name: str
    features: tuple[str, ...]
    kind: str
    value: float

    def __post_init__(self) -> None:
        where = f"group_targets.{self.name}"
        if not self.features:
            raise ScenarioError("give at least one feature", f"{where}.features")
        if self.kind not in ("relative", "absolute"):
            raise ScenarioError(f"unknown target kind {self.kind!r}; use 'relative' or 'absolute'", where)
        v = float(self.value)
        if not np.isfinite(v) or v < 0 or (self.kind == "relative" and v > 1):
            raise ScenarioError(f"{self.value!r} must be {'in [0, 1]' if self.kind == 'relative' else '>= 0'}", where)
        object.__setattr__(self, "value", v)
        object.__setattr__(self, "features", tuple(str(f) for f in self.features))

    def indices(self, data: PlanningData) -> np.ndarray:
        try:
            return np.array([data.feature_index(f) for f in self.features], dtype=np.int64)
        except Exception as exc:  # DataError naming the feature, with suggestions
            raise ScenarioError(str(exc), f"group_targets.{self.name}.features") from None

    def amount(self, data: PlanningData) -> float:
        """``t_G``."""
        if self.kind == "absolute":
            return self.value
        if data.signed_features[self.indices(data)].any():
            raise ScenarioError("a relative group target over features with negative amounts means nothing; give "
                                "an absolute one", f"group_targets.{self.name}")
        return self.value * float(data.feature_totals[self.indices(data)].sum())
