"""Management zones: strict protected areas, OECMs, restoration... in one plan.

A plan with zones ``z = 1..Z`` puts each planning unit in at most one zone (or in none). Each zone
has its own cost per unit (``C``, units x zones) and counts for a feature with a weight
(``w``, features x zones; an OECM may count 0.5 for a species) or with its own amounts
(``A_z``, a units x features matrix per zone, replacing ``w_fz r_if`` for that zone). Zones are
flagged as counting for GBF Target 3 coverage (protected areas and OECMs both do; restoration
may not). A plan with one zone of the data's cost and weight 1 is the plain problem.

References
----------
Watts et al. (2009) Marxan with Zones, Environmental Modelling & Software 24:1513-1521;
Hanson et al. prioritizr zones (``zones()``); CBD decision 15/4, Target 3.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..errors import ScenarioError


@dataclass(frozen=True, eq=False)
class Zones:
    """Named zones with a cost per unit and zone and feature contributions per zone.

    Parameters
    ----------
    names: zone names (unique, non-empty).
    cost: units x zones, finite and >= 0.
    contribution: features x zones, finite and >= 0 (how much of a unit's amount of a feature
        counts when the unit is in the zone).
    target3: zones that count for Target 3 coverage (default: all).
    amounts: optional per zone name, a units x features matrix of amounts that replaces
        ``contribution[:, z] * r`` for that zone.
    """

    names: tuple[str, ...]
    cost: np.ndarray
    contribution: np.ndarray
    target3: np.ndarray | None = None
    amounts: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = tuple(str(n) for n in self.names)
        if not names or len(set(names)) != len(names) or any(not n.strip() for n in names):
            raise ScenarioError(f"zone names {list(names)} must be distinct and non-empty", "zones")
        object.__setattr__(self, "names", names)
        z = len(names)
        cost = np.asarray(self.cost, dtype=np.float64)
        if cost.ndim != 2 or cost.shape[1] != z:
            raise ScenarioError(f"zone costs have shape {cost.shape}; expected (units, {z})", "zones.cost")
        if not np.isfinite(cost).all() or (cost < 0).any():
            bad = np.argwhere(~np.isfinite(cost) | (cost < 0))[0]
            raise ScenarioError(f"zone {names[bad[1]]!r}: cost {cost[bad[0], bad[1]]} of unit at position {bad[0]} "
                                "is not a finite number >= 0", "zones.cost")
        w = np.asarray(self.contribution, dtype=np.float64)
        if w.ndim != 2 or w.shape[1] != z:
            raise ScenarioError(f"zone contributions have shape {w.shape}; expected (features, {z})",
                                "zones.contribution")
        if not np.isfinite(w).all() or (w < 0).any():
            raise ScenarioError("zone contributions must be finite numbers >= 0", "zones.contribution")
        t3 = np.ones(z, dtype=bool) if self.target3 is None else np.asarray(self.target3, dtype=bool)
        if t3.shape != (z,):
            raise ScenarioError(f"target3 flags have shape {t3.shape}; expected ({z},)", "zones.target3")
        amounts = {}
        for name, m in dict(self.amounts).items():
            if name not in names:
                raise ScenarioError(f"amounts for unknown zone {name!r}; zones are {list(names)}", "zones.amounts")
            m = sp.csr_matrix(m, dtype=np.float64)
            if m.shape != (cost.shape[0], w.shape[0]):
                raise ScenarioError(f"zone {name!r}: amounts have shape {m.shape}; expected "
                                    f"{(cost.shape[0], w.shape[0])} (units, features)", "zones.amounts")
            if not np.isfinite(m.data).all() or (m.data < 0).any():
                raise ScenarioError(f"zone {name!r}: amounts must be finite numbers >= 0", "zones.amounts")
            amounts[name] = m
        object.__setattr__(self, "cost", cost)
        object.__setattr__(self, "contribution", w)
        object.__setattr__(self, "target3", t3)
        object.__setattr__(self, "amounts", amounts)

    @property
    def n_zones(self) -> int:
        return len(self.names)

    def index(self, name: str, where: str = "zones") -> int:
        """Position of zone ``name`` (a clear error naming the zones otherwise)."""
        if name not in self.names:
            raise ScenarioError(f"unknown zone {name!r}; zones are {list(self.names)}", where)
        return self.names.index(name)

    def indices(self, names, where: str = "zones") -> np.ndarray:
        """Positions of ``names`` (a name, a list of names, or None for all zones)."""
        if names is None:
            return np.arange(self.n_zones)
        if isinstance(names, str):
            names = [names]
        return np.array([self.index(n, where) for n in names], dtype=np.int64)

    def held(self, rij: sp.csr_matrix) -> list[sp.csr_matrix]:
        """Per zone, the features x units matrix of amounts that count in that zone."""
        out = []
        for z, name in enumerate(self.names):
            if name in self.amounts:
                out.append(self.amounts[name].T.tocsr())
            else:
                out.append(sp.diags(self.contribution[:, z]) @ rij)
        return [sp.csr_matrix(m) for m in out]

    def checked_for(self, n_pu: int, n_features: int) -> "Zones":
        """Itself, after checking its shapes against planning data with ``n_pu`` units and
        ``n_features`` features."""
        if self.cost.shape[0] != n_pu:
            raise ScenarioError(f"zone costs are given for {self.cost.shape[0]} units; the data have {n_pu}",
                                "zones.cost")
        if self.contribution.shape[0] != n_features:
            raise ScenarioError(f"zone contributions are given for {self.contribution.shape[0]} features; the "
                                f"data have {n_features}", "zones.contribution")
        return self

    @classmethod
    def from_multipliers(cls, cost: np.ndarray, n_features: int, names, cost_multipliers, contributions=None,
                         target3=None) -> "Zones":
        """Zones whose cost is the data's cost times a multiplier per zone, and whose contribution is
        one weight per zone for every feature (default 1)."""
        names = tuple(names)
        m = np.asarray(cost_multipliers, dtype=np.float64)
        if m.shape != (len(names),):
            raise ScenarioError(f"{m.size} cost multipliers for {len(names)} zones", "zones.cost")
        w = np.ones(len(names)) if contributions is None else np.asarray(contributions, dtype=np.float64)
        if w.shape != (len(names),):
            raise ScenarioError(f"{w.size} contributions for {len(names)} zones", "zones.contribution")
        return cls(names, np.asarray(cost, dtype=np.float64)[:, None] * m[None, :],
                   np.tile(w, (n_features, 1)), target3)
