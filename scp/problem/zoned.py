"""A conservation planning problem with management zones (:class:`~scp.data.zones.Zones`).

Mathematical formulation
------------------------
Decisions ``x_iz`` in {0, 1} (unit ``i`` in zone ``z``) with ``sum_z x_iz <= 1``. With zone costs
``C_iz`` and ``H^z`` the features x units amounts that count in zone ``z`` (``w_fz r_fi``, or the
zone's own amount table):

* objective: minimum set ``min sum_iz C_iz x_iz + P(x)``; maximum utility
  ``max sum_f u_f sum_z (H^z x_z)_f - P(x)`` within a budget; minimum shortfall
  ``min sum_f u_f s_f / t_f + P(x)`` with ``sum_z (H^z x_z)_f + s_f >= t_f`` within a budget;
* targets over all zones ``sum_z (H^z x_z)_f >= t_f``; zone targets over a set of zones ``Z_k``
  ``sum_{z in Z_k} (H^z x_z)_f >= t_kf``;
* coverage over a set of zones (the Target 3 zones by default) for each group ``K`` (the whole
  area, or each jurisdiction) ``sum_{i in K} sum_{z in Z_k} a_i x_iz >= f A_K``; zone floors are
  coverage over other sets of zones (e.g. strict >= 10%);
* budget ``sum_iz C_iz x_iz <= B``; locks: in a given zone (``x_iz = 1``), in some zone
  (``sum_z x_iz = 1``), out of a zone (``x_iz = 0``) or of every zone;
* boundary penalty ``P(x) = p sum_{i<j} B_ij E[s_i, s_j] + p f sum_i B_ii E[s_i, 0]`` where
  ``s_i`` is the zone of ``i`` (0: none) and the edge costs come from a zones x zones matrix
  ``M``: ``E[z, 0] = M_zz`` (an edge between zone ``z`` and land in no zone), ``E[z1, z2] = M_z1z2``
  (between two zones), ``E[z, z] = E[0, 0] = 0``. The default ``M`` (ones on the diagonal, zeros
  elsewhere) prices the outline of all zones together, so the boundary between a strict reserve
  and an OECM next to it costs nothing; a planner may price it (``0 <= M_z1z2 <= M_z1z1 + M_z2z2``,
  so that the linearisation below stays exact). With one zone this is the plain boundary penalty.
  This is Marxan with Zones' zone boundary cost (Watts et al. 2009) with the unprotected land as
  the zone ``0``; prioritizr's zones matrix (``add_boundary_penalties(zones = )``) instead scales
  clumping rewards between zones, which does not let a planner price an edge to unprotected land
  apart from an edge between zones.

References
----------
Watts et al. (2009) Environmental Modelling & Software 24:1513-1521; Beyer et al. (2016)
Ecological Modelling 328:14-22.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

import numpy as np

from ..data.zones import Zones
from ..errors import ScenarioError
from .constraints import Budget, Coverage, Locked, pu_mask
from .penalties import BoundaryPenalty, ConnectivityPenalty, _off_diagonal
from .problem import Problem
from .targets import TargetSpec, resolve_targets, target_specs


@dataclass(frozen=True)
class ZoneTarget:
    """Targets counted only over the zones ``zones``: the amounts that count there (the zones'
    contributions), or with ``raw`` the units' full amounts whatever the zone's contribution (as
    Marxan with Zones counts its zone targets, ``zonetarget.dat``)."""

    zones: tuple[str, ...]
    specs: tuple[TargetSpec, ...]
    raw: bool = False


@dataclass(frozen=True)
class ZoneCoverage:
    """``Coverage`` counted over ``zones`` (None: the Target 3 zones)."""

    coverage: Coverage
    zones: tuple[str, ...] | None = None


@dataclass(frozen=True, eq=False)
class ZoneLock:
    """Units in ``mask`` kept in zone ``zone`` (``inside``) or out of it (``zone`` None: of every zone)."""

    mask: np.ndarray
    zone: str | None
    inside: bool


@dataclass(frozen=True, eq=False)
class ZonedProblem:
    """A problem whose units may go into one of several zones (module docstring).

    ``base`` carries the data, the objective, the targets over all zones, the budget and the
    boundary penalty; the rest is specific to zones.
    """

    base: Problem
    zones: Zones
    zone_targets: tuple[ZoneTarget, ...] = ()
    coverages: tuple[ZoneCoverage, ...] = ()
    locks: tuple[ZoneLock, ...] = ()
    edge_costs: np.ndarray | None = None
    connectivity_costs: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.zones.checked_for(self.base.data.n_pu, self.base.data.n_features)
        if self.base.objective.name not in ("min_set", "max_utility", "min_shortfall"):
            raise ScenarioError(f"the {self.base.objective.name} objective is not available with zones yet; use "
                                "min_set, max_utility or min_shortfall", "objective")
        if self.base.data.signed_features.any():
            raise ScenarioError("zones need feature amounts >= 0 (their presolve and first allocations take the "
                                "best zone per unit); leave out the features with negative amounts", "zones")
        if self.base.decisions.continuous:
            raise ScenarioError("zones take binary decisions (a unit is in a zone or not); remove the "
                                f"{self.base.decisions.kind} decisions", "decisions")
        for c in self.base.constraints:
            if not isinstance(c, (Budget, Locked)):
                raise ScenarioError(f"{type(c).__name__} constraints are not available with zones yet; use "
                                    "the zone methods (coverage, locks) or a plan without zones", "zones")
        for p in self.base.penalties:
            if p.penalty < 0:
                raise ScenarioError("negative penalties are not available with zones; give penalties >= 0", "zones")
            if not isinstance(p, (BoundaryPenalty, ConnectivityPenalty)) or getattr(p, "asymmetric", False):
                raise ScenarioError(f"{type(p).__name__}{' (asymmetric)' if getattr(p, 'asymmetric', False) else ''}"
                                    " is not available with zones yet", "zones")

    @classmethod
    def of(cls, data, zones: Zones) -> "ZonedProblem":
        return cls(Problem(data), zones)

    @property
    def data(self):
        return self.base.data

    @property
    def objective(self):
        return self.base.objective

    # ---------------------------------------------------------------- as Problem
    def min_set(self) -> "ZonedProblem":
        return replace(self, base=self.base.min_set())

    def max_utility(self, budget: float, weights: Mapping[str, float] | None = None) -> "ZonedProblem":
        return replace(self, base=self.base.max_utility(budget, weights))

    def min_shortfall(self, budget: float, weights: Mapping[str, float] | None = None) -> "ZonedProblem":
        return replace(self, base=self.base.min_shortfall(budget, weights))

    def relative_targets(self, value) -> "ZonedProblem":
        """Targets over all zones (weighted contributions) as shares of each feature's total."""
        return replace(self, base=self.base.relative_targets(value))

    def absolute_targets(self, value) -> "ZonedProblem":
        return replace(self, base=self.base.absolute_targets(value))

    def budget(self, amount: float) -> "ZonedProblem":
        """Total zone cost may not exceed ``amount``."""
        return replace(self, base=self.base.budget(amount))

    def boundary_penalty(self, penalty: float, edge_factor: float = 1.0, edge_costs=None) -> "ZonedProblem":
        """Boundary penalty with the zones x zones edge-cost matrix ``edge_costs`` (module docstring;
        default: the outline of all zones together)."""
        m = self.checked_edge_costs(edge_costs)
        return replace(self, base=self.base.boundary_penalty(penalty, edge_factor), edge_costs=m)

    def connectivity_penalty(self, penalty: float, matrix: str | None = None, zone_costs=None) -> "ZonedProblem":
        """Symmetric connectivity penalty (connectivity lost between units in different states,
        ``p sum_{i<j} C_ij K[s_i, s_j]`` with ``C`` symmetrised) with the zones x zones matrix
        ``zone_costs`` read like the boundary's edge costs (default: only connectivity between the
        zones together and land in no zone is lost)."""
        m = self.checked_edge_costs(zone_costs, "connectivity.zones")
        return replace(self, base=self.base.connectivity_penalty(penalty, matrix), connectivity_costs=m)

    def pair_parts(self) -> list[tuple[float, "object", np.ndarray, np.ndarray]]:
        """Per active penalty ``(p, A, o, M)``: the symmetric off-diagonal weights ``A`` (shared
        boundary, or symmetrised connectivity), the outer weights ``o`` (the edge factor times the
        boundary's diagonal; zeros for connectivity) and the zones x zones matrix ``M``; the penalty
        is ``p (sum_{i<j} A_ij E[s_i, s_j] + sum_i o_i E[s_i, 0])`` with ``E`` from ``M``
        (:meth:`state_costs`)."""
        z = self.zones.n_zones
        parts = []
        for p in self.base.penalties:
            if p.penalty <= 0:
                continue
            if isinstance(p, BoundaryPenalty):
                if self.data.boundary is None:
                    raise ScenarioError("the planning data have no boundary matrix; give one or remove the "
                                        "boundary penalty", "boundary")
                B = self.data.boundary
                m = self.edge_costs if self.edge_costs is not None else np.eye(z)
                parts.append((p.penalty, _off_diagonal(B), p.edge_factor * B.diagonal(), m))
            else:
                C = p.resolve(self.data)
                m = self.connectivity_costs if self.connectivity_costs is not None else np.eye(z)
                parts.append((p.penalty, _off_diagonal((C + C.T) * 0.5), np.zeros(self.data.n_pu), m))
        return parts

    def resolved_targets(self) -> np.ndarray:
        return self.base.resolved_targets()

    # -------------------------------------------------------------- zone parts
    def zone_targets_relative(self, zones, value, raw: bool = False) -> "ZonedProblem":
        """Targets counted over ``zones`` only, as shares of each feature's total (e.g. 10% of every
        ecosystem in the strict zone); ``raw``: count full amounts (:class:`ZoneTarget`)."""
        return self._zone_target(zones, target_specs("relative", value), raw)

    def zone_targets_absolute(self, zones, value, raw: bool = False) -> "ZonedProblem":
        return self._zone_target(zones, target_specs("absolute", value), raw)

    def _zone_target(self, zones, specs, raw: bool) -> "ZonedProblem":
        names = self._zone_names(zones, "zone_targets.zones")
        resolve_targets(self.data, specs)  # unknown feature names fail now
        return replace(self, zone_targets=self.zone_targets + (ZoneTarget(names, specs, bool(raw)),))

    def zone_target_amounts(self, zt: ZoneTarget, held: list) -> list:
        """Per zone, the features x units amounts zone target ``zt`` counts: ``held`` (the zones'
        :meth:`~scp.data.zones.Zones.held`), or the data's amounts in every zone when ``zt.raw``."""
        return [self.data.rij] * self.zones.n_zones if zt.raw else held

    def coverage(self, fraction: float, by=None, zones=None) -> "ZonedProblem":
        """At least ``fraction`` of the area (overall, or in each jurisdiction with ``by``) in
        ``zones`` (default: the zones that count for Target 3). A zone floor is a coverage over
        one zone (``zones="strict"``)."""
        c = Coverage(fraction, by)
        c.groups(self.data)
        names = None if zones is None else self._zone_names(zones, "coverage.zones")
        return replace(self, coverages=self.coverages + (ZoneCoverage(c, names),))

    def locked_in(self, units, zone: str | None = None) -> "ZonedProblem":
        """Units kept in zone ``zone`` (or in some zone when None)."""
        mask = pu_mask(self.data, units, "locked_in")
        if zone is None:
            return replace(self, base=self.base.locked_in(mask))
        self.zones.index(zone, "locked_in.zone")
        return self._checked_locks(replace(self, locks=self.locks + (ZoneLock(mask, zone, True),)))

    def locked_out(self, units, zone: str | None = None) -> "ZonedProblem":
        """Units kept out of zone ``zone`` (or out of every zone when None)."""
        mask = pu_mask(self.data, units, "locked_out")
        if zone is None:
            return replace(self, base=self.base.locked_out(mask))
        self.zones.index(zone, "locked_out.zone")
        return self._checked_locks(replace(self, locks=self.locks + (ZoneLock(mask, zone, False),)))

    def allowed(self) -> tuple[np.ndarray, np.ndarray]:
        """``(allowed, need_some)``: units x zones, whether ``x_iz`` may be 1 after every lock; per
        unit, whether it must be in some zone."""
        from .constraints import status_masks

        n, z = self.data.n_pu, self.zones.n_zones
        ok = np.ones((n, z), dtype=bool)
        need_some = np.zeros(n, dtype=bool)
        li, lo = status_masks(self.data, self.base.constraints)
        ok[lo] = False
        need_some |= li
        for lock in self.locks:
            k = self.zones.index(lock.zone)
            if lock.inside:
                others = np.ones(z, dtype=bool)
                others[k] = False
                ok[np.ix_(lock.mask, others)] = False
                need_some |= lock.mask
            else:
                ok[lock.mask, k] = False
        return ok, need_some

    def _checked_locks(self, new: "ZonedProblem") -> "ZonedProblem":
        ok, need = new.allowed()
        bad = need & ~ok.any(axis=1)
        if bad.any():
            raise ScenarioError(f"{int(bad.sum())} unit(s) are locked into a zone and out of it (PU ids "
                                f"{self.data.ids[bad][:5].tolist()}); remove one of the two locks", "locked_in")
        return new

    def _zone_names(self, zones, where: str) -> tuple[str, ...]:
        names = (zones,) if isinstance(zones, str) else tuple(zones)
        if not names:
            raise ScenarioError("give at least one zone", where)
        for n in names:
            self.zones.index(n, where)
        return names

    def checked_edge_costs(self, m, where: str = "boundary.zones") -> np.ndarray:
        """The edge-cost matrix (default: ones on the diagonal), checked: square over the zones,
        symmetric, >= 0, and ``M_z1z2 <= M_z1z1 + M_z2z2``."""
        z = self.zones.n_zones
        m = np.eye(z) if m is None else np.asarray(m, dtype=np.float64)
        if m.shape != (z, z):
            raise ScenarioError(f"the edge-cost matrix has shape {m.shape}; expected ({z}, {z}) for zones "
                                f"{list(self.zones.names)}", where)
        if not np.isfinite(m).all() or (m < 0).any() or not np.allclose(m, m.T):
            raise ScenarioError("the edge-cost matrix must be symmetric with finite values >= 0", where)
        d = np.diag(m)
        over = m > d[:, None] + d[None, :] + 1e-12
        np.fill_diagonal(over, False)
        if over.any():
            a, b = np.argwhere(over)[0]
            raise ScenarioError(f"an edge between {self.zones.names[a]!r} and {self.zones.names[b]!r} costs "
                                f"{m[a, b]:g}, more than both zones' edges to land in no zone ({d[a]:g} + {d[b]:g});"
                                " lower it", where)
        return m

    @staticmethod
    def state_costs(m: np.ndarray) -> np.ndarray:
        """The (zones + 1) x (zones + 1) costs ``E`` between unit states (state 0: no zone) of a
        zones x zones matrix ``M`` (module docstring)."""
        z = m.shape[0]
        e = np.zeros((z + 1, z + 1))
        e[1:, 1:] = m
        np.fill_diagonal(e[1:, 1:], 0.0)
        e[0, 1:] = e[1:, 0] = np.diag(m)
        return e

    def target3_zones(self) -> tuple[str, ...]:
        return tuple(n for n, f in zip(self.zones.names, self.zones.target3) if f)
