"""The zoned problem a Marxan with Zones project describes, with targets as constraints.

Mathematical formulation
------------------------
Every unit ``i`` is in exactly one zone ``s_i`` (``sum_z x_iz = 1``). MarZone's objective without
its shortfall penalty (all targets met) is

``sum_i C[i, s_i] + sum_i f_i + sum_{i<j} b_ij G[s_i, s_j]``

with ``C`` the zone costs, ``f_i`` the unit's self row of ``bound.dat`` (a constant: MarZone adds it
whatever the zone), ``b_ij`` the shared boundaries and ``G`` the zone boundary costs (symmetric,
its diagonal ``d`` pricing boundaries inside a zone). With ``G'[a, b] = G[a, b] - (d_a + d_b) / 2``
(``G'[a, a] = 0``) the pair sum is ``sum_{i<j} b_ij G'[s_i, s_j] + sum_i (d_{s_i} / 2) deg_i``
(``deg_i = sum_j b_ij``): a pair penalty that is zero inside a zone plus a cost per unit and zone.
The scp problem prices pairs with ``G'`` (:meth:`~scp.problem.zoned.ZonedProblem.boundary_penalty`,
penalty 1, edge factor 0; no unit is ever in no zone, so the edge costs towards no zone, the
diagonal of the matrix given there, only need to satisfy its check) and adds
``(d_z - min d) / 2 * deg_i`` to the cost of unit ``i`` in zone ``z``; the constant
``sum_i f_i + min(d) sum_{i<j} b_ij`` is :func:`marzone_offset`. When MarZone's first zone is
the usual "available" zone (no contribution, no cost above the other zones', :func:`available_zone`)
it becomes scp's "no zone" state: costs are taken relative to it (its cost is added to the
constant) and its boundary costs become the edge costs towards no zone. Targets over all zones count the
contributions (``w_fz r_fi`` or the per-unit table), zone targets count full amounts in their
zone (:class:`~scp.problem.zoned.ZoneTarget` ``raw``). ``G' >= 0`` is required (a boundary between
two zones may not cost less than the mean of their inner boundaries), so the linearisation stays
exact.

References
----------
Watts et al. (2009) Environmental Modelling & Software 24:1513-1521; MarZone 4 source
(Marxan-source-code/marzone: ``reserve.hpp`` EvaluateObjectiveValue, ``zones.hpp``
ConnectionCost2Linear).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from ..data.io.marzone import MarZoneProject
from ..data.zones import Zones
from ..errors import DataError
from .problem import Problem
from .zoned import ZonedProblem


def boundary_split(project: MarZoneProject) -> tuple[np.ndarray, np.ndarray, float]:
    """``(G', per unit and zone cost shift, constant)`` of the module docstring."""
    g = project.zone_bound
    d = np.diag(g).copy()
    g_off = g - (d[:, None] + d[None, :]) / 2.0
    np.fill_diagonal(g_off, 0.0)
    B = project.data.boundary
    if B is None:
        return np.zeros_like(g), np.zeros((project.data.n_pu, g.shape[0])), 0.0
    off = sp.csr_matrix(B - sp.diags(B.diagonal()))
    deg = np.asarray(off.sum(axis=1)).ravel()
    shift = deg[:, None] * ((d - d.min()) / 2.0)[None, :]
    constant = float(B.diagonal().sum()) + float(d.min()) * float(sp.triu(off, k=1).sum())
    return g_off, shift, constant


def available_zone(project: MarZoneProject, cost: np.ndarray, g_off: np.ndarray) -> bool:
    """Whether MarZone's first zone can be scp's "no zone" state: it counts for no feature (no
    contribution, no amount table, no zone target), costs no more than any other zone in every
    unit, and its boundary costs fit the edge-cost matrix (``M_zz = G'[0, z]``, ``M_z1z2 =
    G'[z1, z2] <= M_z1z1 + M_z2z2``). Then the problem is the same with units in that zone
    counted as in no zone, and far smaller when boundaries are priced (the outline of all zones
    goes through one column per unit when ``M`` is uniform, instead of a pair term per pair of
    zones). Used only when boundaries are priced: without them the explicit zone solves faster.
    """
    z = project.n_zones
    if z < 2 or project.zones.contribution[:, 0].any() or project.zones.names[0] in project.zones.amounts:
        return False
    if project.zone_targets[:, 0].any() or (cost[:, 1:] < cost[:, :1] - 1e-12).any():
        return False
    m = g_off[1:, 1:].copy()
    np.fill_diagonal(m, g_off[0, 1:])
    d = np.diag(m)
    over = m > d[:, None] + d[None, :] + 1e-12
    np.fill_diagonal(over, False)
    return not over.any()


def _parts(project: MarZoneProject):
    """``(G', zone costs with the inner-boundary shift, constant, available)``."""
    g_off, shift, constant = boundary_split(project)
    cost = project.zones.cost + shift
    priced = project.data.boundary is not None and bool((g_off > 0).any())
    avail = priced and available_zone(project, cost, g_off)  # measured: without boundary costs the
    # explicit zone solves faster (10,000 x 4 zones: 7 s vs 61 s); with them it is what gives a model HiGHS can bound
    if avail:
        constant += float(cost[:, 0].sum())
    return g_off, cost, constant, avail


def marzone_offset(project: MarZoneProject) -> float:
    """MarZone's score minus the scp objective for any allocation meeting every target."""
    return _parts(project)[2]


def marzone_allocation(project: MarZoneProject, allocation: np.ndarray) -> np.ndarray:
    """The MarZone zone index of every unit from the allocation of :func:`marzone_problem` (with
    the first zone as "no zone", -1 is that zone)."""
    a = np.asarray(allocation, dtype=np.int64)
    return a + 1 if _parts(project)[3] else a


def scp_allocation(project: MarZoneProject, zone_of_unit: np.ndarray) -> np.ndarray:
    """The allocation of :func:`marzone_problem` from MarZone zone indices (the inverse of
    :func:`marzone_allocation`)."""
    a = np.asarray(zone_of_unit, dtype=np.int64)
    return a - 1 if _parts(project)[3] else a


def marzone_problem(project: MarZoneProject) -> ZonedProblem:
    """The minimum-set zoned problem of ``project`` (module docstring); when
    :func:`available_zone` holds, MarZone's first zone is scp's "no zone" state (map an allocation
    back with :func:`marzone_allocation`)."""
    data, zones = project.data, project.zones
    names = zones.names
    g_off, cost, _, avail = _parts(project)
    if (g_off < -1e-12).any():
        a, b = np.argwhere(g_off < -1e-12)[0]
        raise DataError(f"{project.folder}: the zone boundary cost between {names[a]!r} and {names[b]!r} "
                        f"({project.zone_bound[a, b]:g}) is below the mean of the two zones' inner boundary costs; "
                        "scp prices zone boundaries exactly only when it is not; raise it or lower the inner costs")
    if (cost != zones.cost).any():
        project.notes.append("zone boundary costs differ inside zones: scp counts (inner cost / 2) x boundary "
                             "of each unit as part of its zone cost, so scp's cost includes that share")
    first = 1 if avail else 0
    keep = list(range(first, project.n_zones))
    kept = tuple(names[k] for k in keep)
    zcost = cost[:, keep] - (cost[:, :1] if avail else 0.0)
    zones = Zones(kept, np.maximum(zcost, 0.0), zones.contribution[:, keep], zones.target3[keep],
                  {n: m for n, m in zones.amounts.items() if n in kept})
    zp = ZonedProblem(Problem(data), zones).min_set()
    zp = zp.absolute_targets(dict(zip(data.features, np.asarray(project.targets, dtype=float).tolist())))
    for k in keep:
        t = project.zone_targets[:, k]
        if (t > 0).any():
            zp = zp.zone_targets_absolute(names[k], {data.features[j]: float(t[j]) for j in np.flatnonzero(t > 0)},
                                          raw=True)
    if avail:
        if (project.lock == 0).any():
            zp = zp.locked_out(project.lock == 0)  # locked in the available zone: in no zone
        if (~project.allowed[:, 0] & (project.lock < 0)).any():
            zp = zp.locked_in(~project.allowed[:, 0] & (project.lock < 0))  # not allowed there: in some zone
    else:
        zp = zp.locked_in(np.ones(data.n_pu, dtype=bool))
    for k in keep:
        if (project.lock == k).any():
            zp = zp.locked_in(project.lock == k, names[k])
        if (~project.allowed[:, k] & (project.lock < 0)).any():
            zp = zp.locked_out(~project.allowed[:, k] & (project.lock < 0), names[k])
    if data.boundary is not None and (g_off > 0).any():
        if avail:
            m = g_off[1:, 1:].copy()
            np.fill_diagonal(m, g_off[0, 1:])
        else:
            m = g_off.copy()
            np.fill_diagonal(m, g_off.max(axis=1))
        if m.any():
            zp = zp.boundary_penalty(1.0, edge_factor=0.0, edge_costs=m)
    return replace(zp)
