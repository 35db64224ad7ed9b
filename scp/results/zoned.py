"""Evaluate a zone allocation from the allocation itself (never from a solver's objective).

An allocation gives each planning unit a zone index ``s_i`` in ``0..Z-1`` or ``-1`` (no zone).
Everything is recomputed from it with the formulas of :mod:`scp.problem.zoned`, independently of
the linearisation in :mod:`scp.model.zoned`: costs ``C[i, s_i]``; held amounts per zone; the
boundary penalty from the edge-cost table ``E`` over the edges, ``p (sum_{i<j} B_ij E[s_i, s_j] +
f sum_i B_ii E[s_i, none])``; targets, zone targets, coverage per set of zones and per
jurisdiction, budget and locks, with the same tolerance as :func:`scp.evaluate`.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..errors import DataError
from ..problem.constraints import Budget, status_masks
from ..problem.targets import resolve_targets
from ..problem.zoned import ZonedProblem
from .evaluate import TOL


@dataclass
class ZonedEvaluation:
    """Per zone and total: cost, units, area, coverage; features held per zone; penalties."""

    allocation: np.ndarray            # zone index per unit, -1: none
    zone_names: tuple[str, ...]
    cost_by_zone: np.ndarray
    units_by_zone: np.ndarray
    area_by_zone: np.ndarray
    area_total: float
    held_by_zone: np.ndarray          # features x zones (weighted contributions)
    targets: np.ndarray               # per feature over all zones (NaN: none)
    coverage_target3: float           # share of the area in zones that count for Target 3
    coverage_by_jurisdiction: dict[str, dict[str, float]]  # jurisdiction -> zone -> share (and "Target 3")
    penalty: float                    # boundary and connectivity penalties together
    objective: float
    violations: list[str] = field(default_factory=list)

    @property
    def cost(self) -> float:
        return float(self.cost_by_zone.sum())

    @property
    def held(self) -> np.ndarray:
        return self.held_by_zone.sum(axis=1)

    @property
    def feasible(self) -> bool:
        return not self.violations


def as_allocation(problem: ZonedProblem, allocation) -> np.ndarray:
    """Validate an allocation (zone indices, -1 for none; or zone names, '' or None for none)."""
    n, z = problem.data.n_pu, problem.zones.n_zones
    arr = np.asarray(allocation)
    if arr.shape != (n,):
        raise DataError(f"allocation: expected {n} values (one per PU), got shape {arr.shape}")
    if arr.dtype.kind in "iub" or (arr.dtype.kind == "f" and np.isfinite(arr).all() and (arr == np.round(arr)).all()):
        out = arr.astype(np.int64)
    else:
        labels, inverse = np.unique(np.where(arr == None, "", arr).astype(str), return_inverse=True)  # noqa: E711
        lookup = {name: k for k, name in enumerate(problem.zones.names)}
        lookup[""] = -1
        unknown = [lab for lab in labels if lab not in lookup]
        if unknown:
            raise DataError(f"allocation: unknown zone(s) {unknown[:5]}; zones are {list(problem.zones.names)}")
        out = np.array([lookup[lab] for lab in labels], dtype=np.int64)[inverse]
    if ((out < -1) | (out >= z)).any():
        raise DataError(f"allocation: zone indices must be -1 (none) or 0..{z - 1}")
    return out


def evaluate_zoned(problem: ZonedProblem, allocation) -> ZonedEvaluation:
    """Evaluate ``allocation`` against every part of ``problem`` (module docstring)."""
    data, zones = problem.data, problem.zones
    n, z = data.n_pu, zones.n_zones
    s = allocation if isinstance(allocation, np.ndarray) and allocation.dtype == np.int64 else \
        as_allocation(problem, allocation)
    if s.shape != (n,) or ((s < -1) | (s >= z)).any():
        s = as_allocation(problem, s)
    X = np.zeros((n, z))
    X[np.flatnonzero(s >= 0), s[s >= 0]] = 1.0
    cost_by_zone = (zones.cost * X).sum(axis=0)
    area_by_zone = data.area @ X
    area_total = float(data.area.sum())
    H, _ = _prepared(problem)
    held = np.column_stack([H[k] @ X[:, k] for k in range(z)]) if z else np.zeros((data.n_features, 0))
    violations: list[str] = []
    obj = problem.objective
    targets = problem.resolved_targets()
    if obj.name == "min_set":
        for j in np.flatnonzero(np.isfinite(targets)):
            got = held[j].sum()
            if got < targets[j] - TOL * max(1.0, abs(targets[j])):
                violations.append(f"target of feature {data.features[j]!r} not met: holds {got:.6g} of "
                                  f"{targets[j]:.6g} (all zones)")
    for zt in problem.zone_targets:
        t = resolve_targets(data, zt.specs)
        cols = zones.indices(zt.zones)
        counted = held if not zt.raw else np.column_stack([data.rij @ X[:, k] for k in range(z)])
        for j in np.flatnonzero(np.isfinite(t)):
            got = counted[j, cols].sum()
            if got < t[j] - TOL * max(1.0, abs(t[j])):
                violations.append(f"zone target of feature {data.features[j]!r} in {list(zt.zones)} not met: "
                                  f"holds {got:.6g} of {t[j]:.6g}")
    for zc in problem.coverages:
        names = zc.zones if zc.zones is not None else problem.target3_zones()
        inside = np.isin(s, zones.indices(names))
        for label, mask in zc.coverage.groups(data):
            tot = float(data.area[mask].sum())
            got = float(data.area[mask & inside].sum())
            if got < zc.coverage.fraction * tot - TOL * max(1.0, tot):
                violations.append(f"coverage:{label} in {list(names)} is {got / tot:.4%}, below "
                                  f"{zc.coverage.fraction:.2%}")
    allowed, need_some = problem.allowed()
    li, lo = status_masks(data, problem.base.constraints)
    if (need_some & (s < 0)).any():
        violations.append(f"{int((need_some & (s < 0)).sum())} locked-in unit(s) in no zone")
    chosen = s >= 0
    if (~allowed[np.flatnonzero(chosen), s[chosen]]).any():
        violations.append(f"{int((~allowed[np.flatnonzero(chosen), s[chosen]]).sum())} unit(s) in a zone they "
                          "are locked out of (or other than the zone they are locked in)")
    total_cost = float(cost_by_zone.sum())
    budgets = [c.amount for c in problem.base.constraints if isinstance(c, Budget)]
    if getattr(obj, "budget", None) is not None:
        budgets.append(obj.budget)
    for b in budgets:
        if total_cost > b + TOL * max(1.0, b):
            violations.append(f"cost {total_cost:.6g} exceeds the budget {b:.6g}")
    pen = _boundary(problem, s)
    if obj.name == "min_set":
        objective = total_cost + pen
    else:
        u = problem.base.objective_weights()
        if obj.name == "max_utility":
            objective = float(u @ held.sum(axis=1)) - pen
        else:
            has = np.isfinite(targets) & (np.nan_to_num(targets) > 0)
            short = np.maximum(0.0, targets[has] - held.sum(axis=1)[has]) / targets[has]
            objective = float(u[has] @ short) + pen
    t3 = np.isin(s, zones.indices(problem.target3_zones()))
    by_j: dict[str, dict[str, float]] = {}
    if data.jurisdiction is not None:
        for k in data.jurisdictions:
            m = data.jurisdiction == k
            tot = float(data.area[m].sum()) or 1.0
            by_j[k] = {name: float(data.area[m & (s == q)].sum()) / tot for q, name in enumerate(zones.names)}
            by_j[k]["Target 3"] = float(data.area[m & t3].sum()) / tot
    return ZonedEvaluation(s, zones.names, cost_by_zone, np.bincount(s[chosen], minlength=z), area_by_zone,
                           area_total, held, targets, float(data.area[t3].sum()) / area_total if area_total else 0.0,
                           by_j, pen, objective, violations)


_PREPARED: "weakref.WeakKeyDictionary[ZonedProblem, tuple]" = weakref.WeakKeyDictionary()
"""Per problem (a frozen object, compared by identity), what :func:`evaluate_zoned` derives from
the problem alone: the held-amount matrices per zone and the penalty edges, so that evaluating
many allocations of one problem (enumeration, local search, portfolios) derives them once."""


def _prepared(problem: ZonedProblem) -> tuple[list, list]:
    """``(H, parts)``: :meth:`Zones.held` of the problem's amounts, and per penalty of
    :meth:`ZonedProblem.pair_parts` ``(p, rows, cols, weights, outer, E)`` with the edges
    ``i < j`` of its off-diagonal weights and ``E`` its state-cost table."""
    got = _PREPARED.get(problem)
    if got is None:
        parts = []
        for p, A, outer, m in problem.pair_parts():
            U = sp.triu(A, k=1).tocoo()
            parts.append((p, U.row, U.col, U.data, np.asarray(outer), problem.state_costs(m)))
        got = (problem.zones.held(problem.data.rij), parts)
        _PREPARED[problem] = got
    return got


def _boundary(problem: ZonedProblem, s: np.ndarray) -> float:
    """Sum of the penalties from the unit states (:meth:`ZonedProblem.pair_parts`)."""
    state = s + 1  # 0: no zone
    total = 0.0
    for p, rows, cols, w, outer, E in _prepared(problem)[1]:
        total += p * (float(w @ E[state[rows], state[cols]]) + float(outer @ E[state, 0]))
    return total
