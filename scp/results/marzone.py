"""Marxan with Zones' score of a zone allocation, computed from the allocation itself.

Mathematical formulation
------------------------
For an allocation ``s`` (every unit in one zone), MarZone 4 scores (``reserve.hpp``
EvaluateObjectiveValue)

``score = sum_i C[i, s_i] + connection + sum_f P_f spf_f phi_f``

* ``connection = sum_i f_i + sum_{i<j} b_ij G[s_i, s_j]`` (``zones.hpp`` ConnectionCost2Linear: the
  self rows ``f_i`` of ``bound.dat`` count whatever the zone; ``G`` the zone boundary costs);
* ``phi_f = (t_f - a_f) / t_f`` when the contribution-weighted amount ``a_f`` is short of the
  target ``t_f`` (0 otherwise), plus ``(T_fz - A_fz) / T_fz`` for each zone target ``T_fz`` the full
  amount ``A_fz`` in zone ``z`` falls short of;
* ``P_f`` the feature penalty of ``marzone.cpp`` CalcPenalties (:func:`feature_penalties`).

``shortfall`` adds the amounts missing; a target counts as missing when the share held is below
``MISSLEVEL`` (a feature whose overall target is missed is counted once, without its zone targets,
as MarZone's CountMissing does); ``MPM`` is the smallest share held of any target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..data.io.marzone import MarZoneProject


def _unit_cost(project: MarZoneProject) -> np.ndarray:
    return project.cost_columns.sum(axis=1)


def feature_penalties(project: MarZoneProject) -> np.ndarray:
    """Per feature, MarZone's penalty ``P_f`` (``marzone.cpp`` CalcPenalties): the cost of reaching
    ``T_f = max(t_f, sum_z T_fz)`` from the units locked in any zone (each at its dearest zone cost,
    or its summed cost columns without ``zonecost.dat``, plus all its boundary) and then the free
    units holding the feature in decreasing amount per summed cost (cost 0 first, by amount; ties
    kept in unit order), scaled by ``T_f / held`` when even all of them fall short."""
    data = project.data
    rij = sp.csr_matrix(data.rij)
    unit_cost = _unit_cost(project)
    B = data.boundary
    conn = np.zeros(data.n_pu) if B is None else np.asarray(sp.csr_matrix(B).sum(axis=1)).ravel()
    locked_cost = (np.maximum(project.zones.cost.max(axis=1), 0.0) if project.zone_cost_given else unit_cost) + conn
    goal = np.maximum(project.targets, project.zone_targets.sum(axis=1))
    locked = project.lock >= 0
    out = np.zeros(data.n_features)
    for f in range(data.n_features):  # features: tens to hundreds; units inside are vectorised
        lo, hi = rij.indptr[f], rij.indptr[f + 1]
        units, amount = rij.indices[lo:hi], rij.data[lo:hi]
        at_lock = locked[units] & (amount > 0)
        held = float(amount[at_lock].sum())
        pen = float(locked_cost[units[at_lock]].sum())
        if held >= goal[f]:
            out[f] = pen
            continue
        free = ~locked[units] & (amount != 0)
        a, c = amount[free], unit_cost[units[free]]
        ratio = np.where(c == 0, np.inf, a / np.where(c == 0, 1.0, c))
        order = np.lexsort((-np.where(c == 0, a, 0.0), -ratio))
        cum = held + np.cumsum(a[order])
        reached = np.flatnonzero(cum >= goal[f])
        if reached.size:
            out[f] = pen + float(c[order][: reached[0] + 1].sum())
            continue
        held = float(cum[-1]) if cum.size else held
        pen += float(c.sum())
        out[f] = pen * (goal[f] / (held if held > 0 else np.finfo(float).eps))
    return out


@dataclass
class MarZoneScore:
    """MarZone's score and its parts (module docstring)."""

    score: float
    cost: float
    connection: float
    penalty: float
    shortfall: float
    missing: int
    mpm: float
    zone_units: np.ndarray  # units per zone
    zone_cost: np.ndarray  # cost per zone
    held: np.ndarray  # per feature, contribution-weighted over all zones
    held_in_zone: np.ndarray  # features x zones, full amounts
    counted_in_zone: np.ndarray  # features x zones, contribution-weighted


def marzone_score(project: MarZoneProject, zone_of_unit) -> MarZoneScore:
    """Score the allocation ``zone_of_unit`` (per unit, a zone index into ``project.zone_ids``)."""
    data, zones = project.data, project.zones
    s = np.asarray(zone_of_unit, dtype=np.int64)
    if s.shape != (data.n_pu,) or (s < 0).any() or (s >= project.n_zones).any():
        raise ValueError(f"a MarZone allocation gives each of the {data.n_pu} units a zone index in "
                         f"[0, {project.n_zones})")
    n, z = data.n_pu, project.n_zones
    X = sp.csr_matrix((np.ones(n), (np.arange(n), s)), shape=(n, z))
    cost_i = zones.cost[np.arange(n), s]
    zone_cost = np.bincount(s, weights=cost_i, minlength=z)
    held_in_zone = np.asarray((data.rij @ X).todense())
    H = zones.held(data.rij)
    counted = np.column_stack([H[k] @ X[:, [k]].toarray().ravel() for k in range(z)])
    held = counted.sum(axis=1)
    connection = 0.0
    if data.boundary is not None:
        B = sp.csr_matrix(data.boundary)
        up = sp.triu(B, k=1).tocoo()
        connection = float(B.diagonal().sum()) + float(up.data @ project.zone_bound[s[up.row], s[up.col]])
    t, T = project.targets, project.zone_targets
    short = np.where((t > 0) & (held < t), t - held, 0.0)
    zshort = np.where((T > 0) & (held_in_zone < T), T - held_in_zone, 0.0)
    frac = np.where(t > 0, short / np.where(t > 0, t, 1.0), 0.0)
    zfrac = np.where(T > 0, zshort / np.where(T > 0, T, 1.0), 0.0)
    phi = frac + zfrac.sum(axis=1)
    penalty = float((feature_penalties(project) * project.spf * phi).sum()) if phi.any() else 0.0
    share = np.where(t > 0, np.minimum(held / np.where(t > 0, t, 1.0), 1.0), 1.0)
    zshare = np.where(T > 0, np.minimum(held_in_zone / np.where(T > 0, T, 1.0), 1.0), 1.0)
    missed_overall = share < project.misslevel
    missing = int(missed_overall.sum() + (zshare[~missed_overall] < project.misslevel).sum())
    mpm = float(min(share.min(initial=1.0), zshare.min(initial=1.0)))
    cost = float(cost_i.sum())
    return MarZoneScore(score=cost + connection + penalty, cost=cost, connection=connection, penalty=penalty,
                        shortfall=float(short.sum() + zshort.sum()), missing=missing, mpm=mpm,
                        zone_units=np.bincount(s, minlength=z), zone_cost=zone_cost, held=held,
                        held_in_zone=held_in_zone, counted_in_zone=counted)
