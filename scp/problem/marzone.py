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
``sum_i f_i + min(d) sum_{i<j} b_ij`` is :func:`marzone_offset`. Targets over all zones count the
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


def marzone_offset(project: MarZoneProject) -> float:
    """MarZone's score minus the scp objective for any allocation meeting every target."""
    return boundary_split(project)[2]


def marzone_problem(project: MarZoneProject) -> ZonedProblem:
    """The minimum-set zoned problem of ``project`` (module docstring)."""
    data, zones = project.data, project.zones
    names = zones.names
    g_off, shift, _ = boundary_split(project)
    if (g_off < -1e-12).any():
        a, b = np.argwhere(g_off < -1e-12)[0]
        raise DataError(f"{project.folder}: the zone boundary cost between {names[a]!r} and {names[b]!r} "
                        f"({project.zone_bound[a, b]:g}) is below the mean of the two zones' inner boundary costs; "
                        "scp prices zone boundaries exactly only when it is not; raise it or lower the inner costs")
    if shift.any():
        project.notes.append("zone boundary costs differ inside zones: scp counts (inner cost / 2) x boundary "
                             "of each unit as part of its zone cost, so scp's cost includes that share")
        zones = Zones(names, zones.cost + shift, zones.contribution, zones.target3, zones.amounts)
    zp = ZonedProblem(Problem(data), zones).min_set()
    zp = zp.absolute_targets(dict(zip(data.features, np.asarray(project.targets, dtype=float).tolist())))
    for k, name in enumerate(names):
        t = project.zone_targets[:, k]
        if (t > 0).any():
            zp = zp.zone_targets_absolute(name, {data.features[j]: float(t[j]) for j in np.flatnonzero(t > 0)},
                                          raw=True)
    zp = zp.locked_in(np.ones(data.n_pu, dtype=bool))
    for k, name in enumerate(names):
        if (project.lock == k).any():
            zp = zp.locked_in(project.lock == k, name)
        if (~project.allowed[:, k]).any():
            zp = zp.locked_out(~project.allowed[:, k], name)
    if data.boundary is not None and (g_off > 0).any():
        m = g_off.copy()
        np.fill_diagonal(m, g_off.max(axis=1))
        zp = zp.boundary_penalty(1.0, edge_factor=0.0, edge_costs=m)
    return replace(zp)
