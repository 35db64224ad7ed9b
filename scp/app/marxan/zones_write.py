"""Write Marxan with Zones projects and MarZone-style result files.

* :func:`write_marzone_project` writes a minimum-set :class:`~scp.problem.zoned.ZonedProblem` as a
  MarZone 4 project (``input.dat``, ``zones.dat``, ``costs.dat``, ``zonecost.dat``, ``pu.dat``,
  ``spec.dat``, ``puvspr.dat``, ``zonecontrib.dat``, ``zonetarget.dat``, ``zoneboundcost.dat``,
  ``pulock.dat``, ``puzone.dat``, ``bound.dat``) that :func:`~scp.data.io.marzone.read_marzone`
  reads back as the same problem. A problem whose units may stay in no zone gets a first zone
  ``available`` (cost 0, contribution 0) standing for "no zone", as MarZone puts every unit in a
  zone. The boundary penalty ``p`` and edge costs ``M`` become ``zoneboundcost.dat``
  (``G[available, z] = p M_zz``, ``G[z1, z2] = p M_z1z2``, 0 inside a zone); the outer boundary of a
  unit (``p f b_ii M_zz``, which MarZone would count whatever the zone) goes into its zone costs.
* :func:`write_marzone_outputs` writes ``output_best.csv`` (``planning_unit,zone`` with zone ids),
  ``output_sum.csv`` (score, cost, units and cost per zone, connection, penalty, shortfall,
  missing values, MPM) and ``output_mvbest.csv`` (per feature: target, amounts held overall and per
  zone, zone targets, met or not) in MarZone's layout.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ...errors import ScenarioError
from ...problem.constraints import Budget
from ...problem.penalties import BoundaryPenalty
from ...problem.targets import resolve_targets
from ...problem.zoned import ZonedProblem
from .write import new_project_folder, save_csv


def _ids_numeric(ids: np.ndarray) -> np.ndarray:
    try:
        return np.asarray(ids).astype(np.int64)
    except (TypeError, ValueError):
        return np.arange(1, len(ids) + 1)


def _token(name: str) -> str:
    """A name MarZone reads as one token (its readers split on spaces and punctuation)."""
    return re.sub(r"[\s,;:^*\"/|'\\]+", "_", str(name)) or "zone"


def _check_writable(problem: ZonedProblem) -> None:
    if problem.objective.name != "min_set":
        raise ScenarioError(f"MarZone minimises cost with targets; the {problem.objective.name} objective cannot be "
                            "written as a MarZone project", "objective")
    if problem.coverages:
        raise ScenarioError("MarZone has no coverage constraints (Target 3 coverage, zone floors); remove them to "
                            "write the problem as a MarZone project", "coverage")
    if any(isinstance(c, Budget) for c in problem.base.constraints):
        raise ScenarioError("MarZone has no budget constraint; remove it to write a MarZone project", "budget")
    if any(not isinstance(p, BoundaryPenalty) and p.penalty > 0 for p in problem.base.penalties):
        raise ScenarioError("MarZone prices shared boundaries only; remove the connectivity penalty to write a "
                            "MarZone project", "connectivity")
    if problem.zones.amounts:
        raise ScenarioError("zones with their own amount tables cannot be written as zonecontrib.dat; give "
                            "contributions per feature and zone", "zones.amounts")


def _raw_zone_targets(problem: ZonedProblem) -> np.ndarray:
    """features x zones targets over full amounts (a zone target over one zone's weighted amounts
    ``t`` is ``t / w_fz`` over full amounts)."""
    data, zones = problem.data, problem.zones
    out = np.zeros((data.n_features, zones.n_zones))
    for zt in problem.zone_targets:
        if len(zt.zones) != 1:
            raise ScenarioError(f"a zone target over several zones ({list(zt.zones)}) has no MarZone form; MarZone "
                                "sets targets per zone", "zone_targets")
        k = zones.index(zt.zones[0])
        t = np.nan_to_num(resolve_targets(data, zt.specs), nan=0.0)
        w = np.ones(data.n_features) if zt.raw else zones.contribution[:, k]
        if ((t > 0) & (w <= 0)).any():
            raise ScenarioError(f"a zone target in {zt.zones[0]!r} for a feature the zone does not count", "zone_targets")
        out[:, k] = np.maximum(out[:, k], np.where(t > 0, t / np.where(w > 0, w, 1.0), 0.0))
    return out


def write_marzone_project(problem: ZonedProblem, folder: str) -> str:
    """Write ``problem`` as a MarZone project in ``folder`` (module docstring); returns ``input.dat``'s path."""
    _check_writable(problem)
    data, zones = problem.data, problem.zones
    allowed, need_some = problem.allowed()
    extra = not need_some.all()  # a first zone standing for "no zone"
    n, z = data.n_pu, zones.n_zones
    names = (("available",) if extra else ()) + tuple(_token(nm) for nm in zones.names)
    if len(set(names)) != len(names):
        raise ScenarioError(f"zone names {list(names)} are not distinct once written as MarZone tokens", "zones")
    zid = np.arange(1, len(names) + 1)
    own = zid[1:] if extra else zid  # the MarZone ids of scp's zones
    cost = zones.cost.copy()
    edge = np.zeros((len(names), len(names)))
    pairs = sp.csr_matrix((n, n))
    for p, A, outer, m in problem.pair_parts():
        cost = cost + p * outer[:, None] * np.diag(m)[None, :]
        pairs = pairs + p * sp.triu(A, k=1)
        if edge.any():
            raise ScenarioError("only one boundary penalty can be written as a MarZone project", "boundary")
        e = m.copy()
        np.fill_diagonal(e, 0.0)
        if extra:
            edge[1:, 1:], edge[0, 1:], edge[1:, 0] = e, np.diag(m), np.diag(m)
        else:
            edge[:, :] = e
    indir = new_project_folder(folder)
    os.makedirs(os.path.join(folder, "output"))
    ids = _ids_numeric(data.ids)

    def save(df: pd.DataFrame, name: str) -> None:
        df.to_csv(os.path.join(indir, name), index=False, float_format="%.17g")

    save(pd.DataFrame({"zoneid": zid, "zonename": names}), "zones.dat")
    save(pd.DataFrame({"costid": np.arange(1, z + 1), "costname": [f"cost{k + 1}" for k in range(z)]}), "costs.dat")
    save(pd.DataFrame({"id": ids, **{f"cost{k + 1}": cost[:, k] for k in range(z)}}), "pu.dat")
    save(pd.DataFrame({"zoneid": own, "costid": np.arange(1, z + 1), "fraction": 1.0}), "zonecost.dat")
    t = np.nan_to_num(problem.resolved_targets(), nan=0.0)
    save(pd.DataFrame({"id": np.arange(1, data.n_features + 1), "target": t, "spf": 1.0,
                       "name": [_token(f) for f in data.features]}), "spec.dat")
    coo = data.rij.tocoo()
    order = np.lexsort((coo.row, coo.col))
    save(pd.DataFrame({"species": coo.row[order] + 1, "pu": ids[coo.col[order]], "amount": coo.data[order]}),
         "puvspr.dat")
    f, k = np.nonzero(zones.contribution)
    save(pd.DataFrame({"zoneid": own[k], "featureid": f + 1, "fraction": zones.contribution[f, k]}), "zonecontrib.dat")
    zt = _raw_zone_targets(problem)
    f, k = np.nonzero(zt)
    save(pd.DataFrame({"zoneid": own[k], "featureid": f + 1, "target": zt[f, k], "targettype": 0}), "zonetarget.dat")
    a, b = np.triu_indices(len(names))
    save(pd.DataFrame({"zoneid1": zid[a], "zoneid2": zid[b], "cost": edge[a, b]}), "zoneboundcost.dat")
    options = np.column_stack([~need_some, allowed]) if extra else allowed  # states each unit may take
    count = options.sum(axis=1)
    if (count == 0).any():
        raise ScenarioError(f"unit {data.ids[count == 0][0]} may be in no zone at all", "locked_in")
    one = count == 1
    save(pd.DataFrame({"puid": ids[one], "zoneid": zid[options[one].argmax(axis=1)]}), "pulock.dat")
    some = (count > 1) & (count < options.shape[1])
    u, s = np.nonzero(options & some[:, None])
    save(pd.DataFrame({"puid": ids[u], "zoneid": zid[s]}), "puzone.dat")
    if not problem.pair_parts() and data.boundary is not None:
        pairs = sp.csr_matrix(data.boundary)  # inert (no boundary cost), kept so a project read back stays the same
    up = sp.triu(pairs, k=1).tocoo()
    save(pd.DataFrame({"id1": ids[up.row], "id2": ids[up.col], "boundary": up.data}), "bound.dat")
    lines = ["INPUTDIR input", "OUTPUTDIR output", "PUNAME pu.dat", "SPECNAME spec.dat", "PUVSPRNAME puvspr.dat",
             "BOUNDNAME bound.dat", "ZONESNAME zones.dat", "COSTSNAME costs.dat", "ZONECOSTNAME zonecost.dat",
             "ZONECONTRIBNAME zonecontrib.dat", "ZONETARGETNAME zonetarget.dat",
             "ZONEBOUNDCOSTNAME zoneboundcost.dat", "PULOCKNAME pulock.dat", "PUZONENAME puzone.dat",
             "SCENNAME output", "NUMREPS 10", "NUMITNS 1000000", "STARTTEMP -1", "NUMTEMP 10000", "RANDSEED 1",
             "RUNMODE 1", "ITIMPTYPE 0", "HEURTYPE -1", "MISSLEVEL 1", "SAVEBEST 3", "SAVESUMMARY 3",
             "SAVETARGMET 3", "SAVERUN 0", "SAVESUMSOLN 0", "SAVELOG 0", "VERBOSITY 1"]
    path = os.path.join(folder, "input.dat")
    with open(path, "w") as fh:
        fh.write("Marxan with Zones input file written by scp\n\n" + "\n".join(lines) + "\n")
    return path


def write_marzone_outputs(project, zone_of_unit: np.ndarray, score, folder: str) -> list[str]:
    """Write ``output_best.csv``, ``output_sum.csv`` and ``output_mvbest.csv`` for the allocation
    ``zone_of_unit`` (zone indices) of ``project`` with its :class:`~scp.results.marzone.MarZoneScore`."""
    data = project.data
    os.makedirs(folder, exist_ok=True)
    names = project.zones.names
    written: list[str] = []

    def save(df: pd.DataFrame, name: str) -> None:
        written.append(save_csv(df, folder, name))

    save(pd.DataFrame({"planning_unit": data.ids, "zone": project.zone_ids[zone_of_unit]}), "output_best.csv")
    row = {"Run Number": 1, "Score": score.score, "Cost": score.cost, "Planning Units": data.n_pu}
    row.update({f"{nm} PuCount": int(c) for nm, c in zip(names, score.zone_units)})
    row.update({f"{nm} Cost": float(c) for nm, c in zip(names, score.zone_cost)})
    row.update({"Connection Strength": score.connection, "Penalty": score.penalty, "Shortfall": score.shortfall,
                "Missing_Values": score.missing, "MPM": score.mpm})
    save(pd.DataFrame([row]), "output_sum.csv")
    t = project.targets
    met = (t <= 0) | (score.held >= project.misslevel * t - 1e-9 * np.maximum(1.0, t))
    table = {"Feature": project.feature_ids, "Feature Name": list(data.features), "Target": t,
             "Total Amount": np.asarray(data.rij.sum(axis=1)).ravel(), "Contributing Amount Held": score.held,
             "Target Met": np.where(met, "yes", "no")}
    for k, nm in enumerate(names):
        tz = project.zone_targets[:, k]
        got = score.held_in_zone[:, k]
        table[f"Target {nm}"] = tz
        table[f"Amount Held {nm}"] = got
        table[f"Contributing Amount Held {nm}"] = score.counted_in_zone[:, k]
        table[f"Target Met {nm}"] = np.where((tz <= 0) | (got >= project.misslevel * tz - 1e-9 * np.maximum(1.0, tz)),
                                             "yes", "no")
    share = np.where(t > 0, np.minimum(score.held / np.where(t > 0, t, 1.0), 1.0), 1.0)
    zshare = np.where(project.zone_targets > 0, np.minimum(score.held_in_zone / np.where(
        project.zone_targets > 0, project.zone_targets, 1.0), 1.0), 1.0)
    table["MPM"] = np.minimum(share, zshare.min(axis=1))
    save(pd.DataFrame(table), "output_mvbest.csv")
    return written
