"""Read Marxan with Zones (MarZone 4) projects.

An ``input.dat`` naming ``ZONESNAME`` is a MarZone project. Besides Marxan's ``spec.dat``,
``puvspr.dat`` and ``bound.dat`` (read as :mod:`scp.data.io.marxan` reads them) it has:

* ``zones.dat``: ``zoneid, zonename``; every unit is in exactly one zone, the first listed being
  the "available" zone (unprotected land) by convention;
* ``costs.dat``: ``costid, costname``, the cost columns of ``pu.dat`` (default: one column
  ``cost``); a unit without a column costs 1 there; ``zonecost.dat``: ``zoneid, costid,
  multiplier`` (default: every multiplier 1; with the file, unlisted ones are 0). The cost of unit
  ``i`` in zone ``z`` is ``sum_c cost_ic m_cz``;
* ``zonecontrib.dat`` ``zoneid, featureid, fraction`` (or ``zonecontrib2.dat`` ``zoneid, fraction``
  for every feature, or ``zonecontrib3.dat`` ``zoneid, puid, featureid, fraction`` per unit): the
  share of a unit's amount that counts for a feature's target in a zone (unlisted: 0; without a
  file the first zone counts 0 and the others 1);
* ``zonetarget.dat`` ``zoneid, featureid, target[, type]`` (or ``zonetarget2.dat`` without the
  feature, for all): zone targets, counted over the units' full amounts in the zone whatever the
  contribution; type 0 an amount, 1 a share of the feature's total (2 and 3, occurrences, are not
  supported and give an error);
* ``zoneboundcost.dat`` ``zoneid1, zoneid2, cost``: the weight of a shared boundary between units in
  the two zones (symmetric; unlisted pairs 0, the same zone too; without the file every pair 1);
* ``pulock.dat`` ``puid, zoneid``: units kept in a zone; ``puzone.dat`` ``puid, zoneid``: the zones
  a unit may go to (a unit listed once must use ``pulock.dat``).

Rows naming an unknown zone, feature or unit are skipped with a note, as MarZone skips them. Like
MarZone 4 (Marxan-source-code/marzone: ``marzone.cpp`` SetOptions, ``zones.hpp``, ``pu.hpp``), no
``BLM`` is read: the zone boundary costs carry the weight; a ``status`` column of ``pu.dat`` is not
read either.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ...errors import DataError
from ..checks import positions
from ..planning_data import PlanningData
from ..zones import Zones
from .marxan import (
    _duplicates,
    _param,
    _read_table,
    _whole_ids,
    matrix_path,
    read_bound,
    read_input_dat,
    read_matrix,
    read_pu,
    read_spec,
    spec_targets,
)


@dataclass
class MarZoneProject:
    """A MarZone project as read from disk (module docstring); zones in ``zones.dat``'s order."""

    folder: str
    params: dict[str, str]
    data: PlanningData  # cost: the sum of the cost columns (MarZone's unit cost)
    zones: Zones  # names, cost per unit and zone, contributions (all zones listed as scp zones)
    zone_ids: np.ndarray
    feature_ids: np.ndarray
    targets: np.ndarray  # absolute target per feature over all zones (contribution-weighted)
    spf: np.ndarray
    zone_targets: np.ndarray  # features x zones, absolute, over full amounts (0: none)
    lock: np.ndarray  # per unit, the zone index it is locked in, or -1
    allowed: np.ndarray  # units x zones, from puzone.dat (all True for units not listed)
    zone_bound: np.ndarray  # zones x zones boundary weights
    cost_columns: np.ndarray  # units x costs, as in pu.dat
    cost_names: tuple[str, ...] = ()
    zone_cost_given: bool = False
    misslevel: float = 1.0
    notes: list[str] = field(default_factory=list)

    @property
    def n_zones(self) -> int:
        return self.zone_ids.size


def is_marzone(path: str) -> bool:
    """Whether the project at ``path`` (folder or input.dat) is a Marxan with Zones project."""
    input_dat = os.path.join(path, "input.dat") if os.path.isdir(path) else path
    return "ZONESNAME" in read_input_dat(input_dat)


def _index(path: str, values: np.ndarray, known: np.ndarray, what: str, notes: list[str]) -> np.ndarray:
    """Positions of ``values`` in ``known`` (-1 for unknown ones, counted in a note)."""
    out = positions(known, values)
    hit = out >= 0
    if (~hit).any():
        notes.append(f"{path}: {int((~hit).sum())} row(s) name an unknown {what} (first {values[~hit][0]:g}) "
                     "and are skipped, as MarZone skips them")
    return out


def _optional(params: dict, indir: str, *keys: str) -> str | None:
    for key in keys:
        if key in params and params[key].split():
            return os.path.join(indir, params[key].split()[0])
    return None


def _zones(path: str) -> tuple[np.ndarray, tuple[str, ...]]:
    t = _read_table(path, [], ["zoneid"], positional=["zoneid", "zonename"])
    if len(t) == 0:
        raise DataError(f"{path}: no zones; list one row per zone (zoneid, zonename)")
    _duplicates(path, t, ["zoneid"])
    _whole_ids(path, t["zoneid"].to_numpy(), "zone")
    return t["zoneid"].to_numpy().astype(np.int64), tuple(t["zonename"].astype(str).str.strip())


def _costs(params: dict, indir: str, pu: pd.DataFrame, pu_path: str, zone_ids, notes) -> tuple:
    """(cost names, units x costs, costs x zones multipliers, whether zonecost.dat was given)."""
    path = _optional(params, indir, "COSTSNAME")
    if path:
        t = _read_table(path, [], ["costid"], positional=["costid", "costname"])
        _duplicates(path, t, ["costid"])
        cost_ids = t["costid"].to_numpy()
        names = tuple(t["costname"].astype(str).str.strip().str.lower())
    else:
        cost_ids, names = np.array([1.0]), ("cost",)
    missing = [n for n in names if n not in pu.columns]
    if missing:
        notes.append(f"{pu_path}: no column for cost(s) {missing}; each unit costs 1 there, as in MarZone")
    cols = np.column_stack([pd.to_numeric(pu[n], errors="coerce").to_numpy(dtype=np.float64) if n in pu.columns
                            else np.ones(len(pu)) for n in names])
    if not np.isfinite(cols).all():
        r, c = np.argwhere(~np.isfinite(cols))[0]
        raise DataError(f"{pu_path}, line {r + 2}: cost column {names[c]!r} is not a finite number")
    zc_path = _optional(params, indir, "ZONECOSTNAME")
    mult = np.ones((len(names), zone_ids.size))
    if zc_path:
        t = _read_table(zc_path, [], ["zoneid", "costid", "fraction"], positional=["zoneid", "costid", "fraction"])
        z = _index(zc_path, t["zoneid"].to_numpy(), zone_ids, "zone", notes)
        c = _index(zc_path, t["costid"].to_numpy(), cost_ids, "cost", notes)
        ok = (z >= 0) & (c >= 0)
        mult = np.zeros_like(mult)
        mult[c[ok], z[ok]] = t["fraction"].to_numpy()[ok]
    return names, cols, mult, zc_path is not None


def _contributions(params, indir, zone_ids, fids, ids, rij, notes) -> tuple[np.ndarray, dict]:
    """(features x zones weights, {zone index: units x features amounts}) from the contribution file."""
    nz = zone_ids.size
    p1 = _optional(params, indir, "ZONECONTRIBNAME")
    p2 = _optional(params, indir, "ZONECONTRIB2NAME")
    p3 = _optional(params, indir, "ZONECONTRIB3NAME")
    given = [p for p in (p1, p2, p3) if p]
    if len(given) > 1:
        raise DataError(f"{os.path.dirname(given[0])}: input.dat names {len(given)} zone contribution files; "
                        "keep one of ZONECONTRIBNAME, ZONECONTRIB2NAME, ZONECONTRIB3NAME")
    w = np.zeros((fids.size, nz))
    amounts: dict[int, sp.csr_matrix] = {}
    if not given:
        w[:, 1:] = 1.0
    elif p1:
        t = _read_table(p1, [], ["zoneid", "featureid", "fraction"], positional=["zoneid", "featureid", "fraction"])
        z = _index(p1, t["zoneid"].to_numpy(), zone_ids, "zone", notes)
        f = _index(p1, t["featureid"].to_numpy(), fids, "feature", notes)
        ok = (z >= 0) & (f >= 0)
        w[f[ok], z[ok]] = t["fraction"].to_numpy()[ok]
    elif p2:
        t = _read_table(p2, [], ["zoneid", "fraction"], positional=["zoneid", "fraction"])
        z = _index(p2, t["zoneid"].to_numpy(), zone_ids, "zone", notes)
        ok = z >= 0
        w[:, z[ok]] = t["fraction"].to_numpy()[ok][None, :]
    else:
        t = _read_table(p3, [], ["zoneid", "puid", "featureid", "fraction"],
                        positional=["zoneid", "puid", "featureid", "fraction"])
        z = _index(p3, t["zoneid"].to_numpy(), zone_ids, "zone", notes)
        u = _index(p3, t["puid"].to_numpy(), ids, "planning unit", notes)
        f = _index(p3, t["featureid"].to_numpy(), fids, "feature", notes)
        ok = (z >= 0) & (u >= 0) & (f >= 0)
        frac = t["fraction"].to_numpy()
        raw = sp.csr_matrix(rij.T)  # units x features
        for k in range(nz):
            sel = ok & (z == k)
            share = sp.csr_matrix((frac[sel], (u[sel], f[sel])), shape=raw.shape)
            amounts[k] = sp.csr_matrix(raw.multiply(share))
    if (w < 0).any() or any((m.data < 0).any() for m in amounts.values()):
        raise DataError(f"{given[0]}: a negative contribution; scp's zones need contributions >= 0 (keep units "
                        "out of a zone that harms a feature with puzone.dat)")
    return w, amounts


def _zone_targets(params, indir, zone_ids, fids, rij, notes) -> np.ndarray:
    out = np.zeros((fids.size, zone_ids.size))
    totals = np.asarray(rij.sum(axis=1)).ravel()
    for key, cols in (("ZONETARGETNAME", ["zoneid", "featureid", "target", "type"]),
                      ("ZONETARGET2NAME", ["zoneid", "target", "type"])):
        path = _optional(params, indir, key)
        if not path:
            continue
        t = _read_table(path, [], [c for c in cols if c != "type"], ["type"], positional=cols[:-1])
        kind = t["extra_0"] if "extra_0" in t.columns else pd.Series(np.zeros(len(t)))
        kind = pd.to_numeric(kind, errors="coerce").fillna(0).to_numpy()
        if np.isin(kind, (2, 3)).any():
            k = int(np.flatnonzero(np.isin(kind, (2, 3)))[0])
            raise DataError(f"{path}, line {k + 2}: target type {kind[k]:g} is an occurrence target, which scp "
                            "does not support; give an amount (type 0) or a share (type 1)")
        z = _index(path, t["zoneid"].to_numpy(), zone_ids, "zone", notes)
        value = t["target"].to_numpy()
        if "featureid" in t.columns:
            f = _index(path, t["featureid"].to_numpy(), fids, "feature", notes)
            ok = (z >= 0) & (f >= 0)
            amount = np.where(kind == 1, value * totals[np.maximum(f, 0)], value)
            out[f[ok], z[ok]] = amount[ok]
        else:
            for k in np.flatnonzero(z >= 0):  # rows of zonetarget2.dat: a few
                out[:, z[k]] = value[k] * totals if kind[k] == 1 else value[k]
    if (out < 0).any():
        raise DataError("zone targets must be >= 0")
    return out


def _unit_zone_rows(path: str, ids, zone_ids, notes) -> tuple[np.ndarray, np.ndarray]:
    """Unit and zone positions of the ``puid, zoneid`` rows of ``path`` (unknown ones skipped)."""
    t = _read_table(path, [], ["puid", "zoneid"], positional=["puid", "zoneid"])
    u = _index(path, t["puid"].to_numpy(), ids, "planning unit", notes)
    z = _index(path, t["zoneid"].to_numpy(), zone_ids, "zone", notes)
    ok = (u >= 0) & (z >= 0)
    return u[ok], z[ok]


def _locks(params, indir, ids, zone_ids, notes) -> tuple[np.ndarray, np.ndarray]:
    lock = np.full(ids.size, -1, dtype=np.int64)
    allowed = np.ones((ids.size, zone_ids.size), dtype=bool)
    path = _optional(params, indir, "PULOCKNAME")
    if path:
        u, z = _unit_zone_rows(path, ids, zone_ids, notes)
        lock[u] = z  # a unit listed again keeps its last zone, as MarZone's map does
    path = _optional(params, indir, "PUZONENAME")
    if path:
        u, z = _unit_zone_rows(path, ids, zone_ids, notes)
        listed = np.zeros_like(allowed)
        listed[u, z] = True
        some = listed.any(axis=1) & (lock < 0)
        single = some & (listed.sum(axis=1) == 1)
        if single.any():
            raise DataError(f"{path}: planning unit {ids[single][0]:g} is allowed in a single zone; lock it there "
                            "with pulock.dat instead, as MarZone requires")
        allowed[some] = listed[some]
    return lock, allowed


def _zone_bound(params, indir, zone_ids, notes) -> np.ndarray:
    path = _optional(params, indir, "ZONEBOUNDCOSTNAME", "ZONECONNECTIONCOSTNAME")
    if not path:
        return np.ones((zone_ids.size, zone_ids.size))
    t = _read_table(path, [], ["zoneid1", "zoneid2", "cost"], positional=["zoneid1", "zoneid2", "cost"])
    a = _index(path, t["zoneid1"].to_numpy(), zone_ids, "zone", notes)
    b = _index(path, t["zoneid2"].to_numpy(), zone_ids, "zone", notes)
    ok = (a >= 0) & (b >= 0)
    m = np.zeros((zone_ids.size, zone_ids.size))
    m[a[ok], b[ok]] = t["cost"].to_numpy()[ok]
    m[b[ok], a[ok]] = t["cost"].to_numpy()[ok]
    if (m < 0).any():
        raise DataError(f"{path}: negative zone boundary costs are not supported; give costs >= 0")
    return m


def read_marzone(path: str) -> MarZoneProject:
    """Read a Marxan with Zones project from its folder (holding ``input.dat``) or its ``input.dat``."""
    input_dat = os.path.join(path, "input.dat") if os.path.isdir(path) else path
    params = read_input_dat(input_dat)
    root = os.path.dirname(os.path.abspath(input_dat))
    indir = os.path.join(root, params.get("INPUTDIR", "input"))
    notes: list[str] = []
    zones_path = _optional(params, indir, "ZONESNAME")
    if zones_path is None:
        raise DataError(f"{input_dat}: no ZONESNAME; a Marxan with Zones project names its zones file")
    zone_ids, zone_names = _zones(zones_path)
    pu_path = os.path.join(indir, params.get("PUNAME", "pu.dat"))
    pu, ids = read_pu(pu_path, [])
    if "status" in pu.columns:
        notes.append(f"{pu_path}: the status column is not read, as in MarZone 4; lock units with pulock.dat")
    if "BLM" in params:
        notes.append(f"BLM {params['BLM']} is not read, as in MarZone 4: zoneboundcost.dat weighs the boundary")
    cost_names, cost_cols, mult, zone_cost_given = _costs(params, indir, pu, pu_path, zone_ids, notes)
    spec_path = os.path.join(indir, params.get("SPECNAME", params.get("FEATNAME", "spec.dat")))
    spec, fids, names = read_spec(spec_path)
    for col in ("targetocc", "target2", "sepnum"):
        if col in spec.columns and (pd.to_numeric(spec[col], errors="coerce").fillna(0) != 0).any():
            raise DataError(f"{spec_path}: column {col!r} is set; scp supports amount targets only (target or "
                            "prop); remove the column or set it to 0")
    rij = read_matrix(matrix_path(params, indir), ids, fids)
    targets, spf = spec_targets(spec_path, spec, rij)
    bnd = None
    bound_path = _optional(params, indir, "BOUNDNAME", "CONNECTIONNAME")
    if bound_path:
        bnd = read_bound(bound_path, ids, notes)
    w, amounts = _contributions(params, indir, zone_ids, fids, ids, rij, notes)
    zone_cost = cost_cols @ mult
    if (zone_cost < 0).any():
        i, k = np.argwhere(zone_cost < 0)[0]
        raise DataError(f"{pu_path}: planning unit {ids[i]:g} costs {zone_cost[i, k]:g} in zone "
                        f"{zone_names[k]!r}; scp needs zone costs >= 0")
    zones = Zones(zone_names, zone_cost, w, amounts={zone_names[k]: m for k, m in amounts.items()})
    lock, allowed = _locks(params, indir, ids, zone_ids, notes)
    data = PlanningData.from_arrays(cost=cost_cols.sum(axis=1).clip(min=0), features=rij,
                                    feature_names=[str(n) for n in names], ids=ids.astype(np.int64), boundary=bnd)
    return MarZoneProject(
        folder=root, params=params, data=data, zones=zones, zone_ids=zone_ids, feature_ids=fids.astype(np.int64),
        targets=targets, spf=spf, zone_targets=_zone_targets(params, indir, zone_ids, fids, rij, notes), lock=lock,
        allowed=allowed, zone_bound=_zone_bound(params, indir, zone_ids, notes), cost_columns=cost_cols,
        cost_names=cost_names, zone_cost_given=zone_cost_given,
        misslevel=_param(params, "MISSLEVEL", 1.0, input_dat, 0.0, 1.0, low_open=True), notes=notes)
