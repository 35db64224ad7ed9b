"""A scenario's ``zones:`` block as a :class:`~scp.problem.zoned.ZonedProblem`.

The plain problem the rest of the scenario describes (objective, targets over all zones, budget,
boundary penalty, locks) becomes the zoned problem's base; its coverage counts the zones flagged
``target3``; each zone adds its cost (a multiplier of the data's cost or a cost layer), its
contributions, its locks (``locked_in`` layers), where it may go (``allowed_in`` layers), its floors
(``coverage``) and its own targets. Errors name the YAML key.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ...data import PlanningData
from ...data.zones import Zones
from ...errors import ScenarioError
from ...problem import Problem
from ...problem.constraints import Coverage
from ...problem.zoned import ZoneCoverage, ZonedProblem
from .schema import Scenario


def zone_costs(s: Scenario, data: PlanningData, layers) -> np.ndarray:
    """units x zones costs from multipliers or layers."""
    cols = []
    for name, z in s.zones.items():
        if isinstance(z.cost, str):
            v = layers(z.cost, f"zones.{name}.cost")
            if not np.isfinite(v).all() or (v < 0).any():
                raise ScenarioError(f"cost layer {z.cost!r} has values that are not finite numbers >= 0",
                                    f"zones.{name}.cost")
            cols.append(np.asarray(v, dtype=np.float64))
        else:
            cols.append(data.cost * float(z.cost))
    return np.column_stack(cols)


def zone_contributions(s: Scenario, data: PlanningData) -> np.ndarray:
    """features x zones weights; a feature split by jurisdiction (``name@J``) takes its name's weight."""
    base = np.array([f.split("@")[0] for f in data.features])
    out = np.ones((data.n_features, len(s.zones)))
    for k, (name, z) in enumerate(s.zones.items()):
        c = z.contribution
        if not isinstance(c, dict):
            out[:, k] = float(c)
            continue
        out[:, k] = float(c.get("default", 1.0))
        for feature, w in c.items():
            if feature == "default":
                continue
            hit = base == feature
            if not hit.any():
                raise ScenarioError(f"unknown feature {feature!r}; features are {sorted(set(base))[:10]}",
                                    f"zones.{name}.contribution.{feature}")
            out[hit, k] = float(w)
    return out


def _mask(layers, names: list[str], key: str) -> np.ndarray:
    m = np.zeros(0, dtype=bool)
    for n in names:
        v = layers(n, key)
        m = (v > 0.5) if m.size == 0 else (m | (v > 0.5))
    return m


def build_zoned(s: Scenario, problem: Problem, layers) -> ZonedProblem:
    """The zoned problem of ``s`` (module docstring); ``layers`` gives per-unit values of layers."""
    data = problem.data
    zones = Zones(tuple(s.zones), zone_costs(s, data, layers), zone_contributions(s, data),
                  np.array([z.target3 for z in s.zones.values()]))
    coverage = tuple(ZoneCoverage(c) for c in problem.constraints if isinstance(c, Coverage))
    base = replace(problem, constraints=tuple(c for c in problem.constraints if not isinstance(c, Coverage)))
    zp = ZonedProblem(base, zones, coverages=coverage)
    if s.boundary is not None and s.boundary.zones is not None:
        zp = replace(zp, edge_costs=zp.checked_edge_costs(s.boundary.zones))
    for name, z in s.zones.items():
        key = f"zones.{name}"
        if z.locked_in:
            zp = zp.locked_in(_mask(layers, z.locked_in, f"{key}.locked_in"), name)
        if z.allowed_in:
            zp = zp.locked_out(~_mask(layers, z.allowed_in, f"{key}.allowed_in"), name)
        if z.coverage is not None:
            if z.coverage.total is not None:
                zp = zp.coverage(z.coverage.total, zones=name)
            pj = z.coverage.per_jurisdiction
            if pj is not None:
                if data.jurisdiction is None:
                    raise ScenarioError("needs a jurisdiction layer", f"{key}.coverage.per_jurisdiction")
                if isinstance(pj, dict):
                    for label, f in pj.items():
                        if label not in data.jurisdictions:
                            raise ScenarioError(f"unknown jurisdiction {label!r}; the data have "
                                                f"{list(data.jurisdictions)}", f"{key}.coverage.per_jurisdiction")
                        zp = zp.coverage(f, by=[label], zones=name)
                else:
                    zp = zp.coverage(pj, by="jurisdiction", zones=name)
        for feature, t in z.targets.items():
            value = t.relative if t.relative is not None else t.absolute
            spec = value if feature == "default" else {feature: value}
            try:
                zp = (zp.zone_targets_relative(name, spec) if t.relative is not None
                      else zp.zone_targets_absolute(name, spec))
            except ScenarioError as exc:
                raise ScenarioError(exc.args[0] if exc.args else str(exc), f"{key}.targets.{feature}") from None
    return zp
