"""The results folder of a scenario with zones.

``solution.csv`` (id, zone, zone_code 0 = none / 1..Z, coordinates), ``zones.csv`` (per zone: units,
area, share of the landscape and of each jurisdiction, cost, whether it counts for Target 3),
``features.csv`` (held per zone and in all, target, met), ``summary.json``, ``solution.nc`` (grid
data: ``zone`` with CF flags), ``zones.tif`` + ``zones.qml`` (grid data, with the ``geo`` extra:
zone codes with a colour table and a QGIS style), ``map.png`` + ``map.svg`` (one colour per zone), ``report.md`` and
``report.html`` (the plan per zone and per jurisdiction, features, how sure; rendered like the plain
report: self-contained, map embedded).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ...solving.zoned import ZonedSolution
from ..gis import add_coordinates, write_zone_raster
from ..maps.selection import plot_categories
from ..report.content import Image, Table, Text
from ..report.fmt import num, pct, status_text, unit_text
from ..report.render import write_sections

NONE_COLOUR = "#e6e6e6"
ZONE_COLOURS = ("#1b7837", "#a6d96a", "#fdae61", "#74add1", "#c2a5cf", "#8c510a")


def zone_labels(s) -> dict[str, str]:
    return {name: (z.label or name) for name, z in s.zones.items()}


def zone_table(sol: ZonedSolution, labels: dict[str, str]) -> pd.DataFrame:
    ev, zones = sol.evaluation, sol.problem.zones
    frame = pd.DataFrame({"zone": list(zones.names), "label": [labels.get(n, n) for n in zones.names],
                          "target3": zones.target3, "units": ev.units_by_zone, "area": ev.area_by_zone,
                          "share_of_area": ev.area_by_zone / ev.area_total, "cost": ev.cost_by_zone})
    for j, shares in ev.coverage_by_jurisdiction.items():
        frame[f"share_{j}"] = [shares[n] for n in zones.names]
    return frame


def feature_table(sol: ZonedSolution, unit_of) -> pd.DataFrame:
    ev, data = sol.evaluation, sol.problem.data
    frame = pd.DataFrame({"feature": data.features, "unit": [unit_of(f) for f in data.features],
                          "total": data.feature_totals})
    for k, name in enumerate(sol.problem.zones.names):
        frame[f"held_{name}"] = ev.held_by_zone[:, k]
    frame["held"] = ev.held
    frame["target"] = ev.targets
    frame["met"] = ~(ev.held < ev.targets - 1e-6 * np.maximum(1.0, np.abs(np.nan_to_num(ev.targets))))
    return frame


def zone_legend(sol: ZonedSolution, labels: dict[str, str], shares: bool = False) -> list[tuple[str, str]]:
    """(colour, label) per zone code: 0 no zone, then the zones in order."""
    ev = sol.evaluation
    return [(NONE_COLOUR, "in no zone")] + [
        (ZONE_COLOURS[k % len(ZONE_COLOURS)],
         labels.get(n, n) + (f": {pct(ev.area_by_zone[k] / ev.area_total)}" if shares else ""))
        for k, n in enumerate(sol.problem.zones.names)]


def plot_zones(sol: ZonedSolution, path: str, labels: dict[str, str], title: str, xy=None, context=None) -> bool:
    """The zone map: one colour per zone, shares in the legend, the cartography of the plain map."""
    ev = sol.evaluation
    legend = zone_legend(sol, labels, shares=True)
    subtitle = f"Target 3 coverage {pct(ev.coverage_target3)}" + "".join(
        f", {j} {pct(v['Target 3'])}" for j, v in ev.coverage_by_jurisdiction.items())
    return plot_categories(sol.problem.data, sol.allocation + 1, path, legend, xy, title, context, subtitle) is not None


def write_zoned_results(tmp: str, sol: ZonedSolution, s, title: str, unit_of, xy=None,
                        context=None) -> tuple[dict, list[str]]:
    """Write the files of the module docstring into ``tmp``; returns (summary, file names)."""
    data, zones, ev = sol.problem.data, sol.problem.zones, sol.evaluation
    labels = zone_labels(s)
    frame = pd.DataFrame({"id": data.ids, "zone": sol.zone_of_units(), "zone_code": sol.allocation + 1})
    add_coordinates(frame, data, xy).to_csv(os.path.join(tmp, "solution.csv"), index=False, float_format="%.17g")
    zt = zone_table(sol, labels)
    zt.to_csv(os.path.join(tmp, "zones.csv"), index=False, float_format="%.17g")
    ft = feature_table(sol, unit_of)
    ft.to_csv(os.path.join(tmp, "features.csv"), index=False, float_format="%.17g")
    files = ["solution.csv", "zones.csv", "features.csv"]
    if data.grid is not None:
        da = data.to_grid((sol.allocation + 1).astype(np.float64), name="zone")
        da.attrs.update({"flag_values": np.arange(len(zones.names) + 1),
                         "flag_meanings": " ".join(["none", *zones.names])})
        da.to_dataset().to_netcdf(os.path.join(tmp, "solution.nc"))
        files.append("solution.nc")
    files += write_zone_raster(tmp, data, sol.allocation + 1, zone_legend(sol, labels))
    if s.outputs.map and plot_zones(sol, os.path.join(tmp, "map.png"), labels, title, xy, context):
        files += ["map.png", "map.svg"]
    summary = {
        "title": title, "status": sol.status.value, "objective": sol.objective, "bound": sol.bound, "gap": sol.gap,
        "cost": ev.cost, "penalty": ev.penalty, "runtime_s": sol.runtime,
        "solver": sol.solver, "model_rows": sol.model_size[0], "model_columns": sol.model_size[1],
        "target3_zones": list(sol.problem.target3_zones()), "coverage_target3": ev.coverage_target3,
        "coverage_by_jurisdiction": ev.coverage_by_jurisdiction, "zones": zt.to_dict(orient="records"),
        "targets_met": bool(ft["met"].all()), "units": {"cost": unit_of("cost"), "area": unit_of("area")},
    }
    return summary, files


def zoned_sections(summary: dict, zt: pd.DataFrame, ft: pd.DataFrame, map_file: str | None) -> list:
    """The report of a zoned plan as (heading, content) sections for
    :func:`scp.app.report.render.write_sections`."""
    cost_unit, area_unit = unit_text(summary["units"]["cost"]), unit_text(summary["units"]["area"])
    parts = [("Summary", Text([
        f"Plan with zones. Objective {num(summary['objective'])} (cost {num(summary['cost'])} {cost_unit} + "
        f"penalties {num(summary['penalty'])}); {status_text(summary['status'], summary['gap'])}.",
        f"Target 3 counts {', '.join(summary['target3_zones'])}: {pct(summary['coverage_target3'])} of the area; "
        f"every target {'met' if summary['targets_met'] else 'NOT met'}."])),
        ("Zones", Table(["zone", "Target 3", "units", f"area ({area_unit})", "share", f"cost ({cost_unit})"],
                        [[r.label, "yes" if r.target3 else "no", f"{r.units:,}", num(r.area), pct(r.share_of_area),
                          num(r.cost)] for r in zt.itertuples()]))]
    if summary["coverage_by_jurisdiction"]:
        names = list(zt["zone"])
        parts.append(("Coverage per jurisdiction", Table(
            ["jurisdiction", *zt["label"], "Target 3"],
            [[j, *(pct(v[n]) for n in names), pct(v["Target 3"])] for j, v in summary["coverage_by_jurisdiction"].items()])))
    if map_file:
        parts.append(("Map", Image(map_file, "zones")))
    held = [c for c in ft.columns if c.startswith("held_")]
    parts.append(("Features (held per zone, weighted by each zone's contribution)", Table(
        ["feature", *(h[5:] for h in held), "held", "target", "met"],
        [[r["feature"], *(num(r[h]) for h in held), num(r["held"]),
          num(r["target"]) if np.isfinite(r["target"]) else "-", "✓" if r["met"] else "✗"]
         for r in ft.to_dict(orient="records")])))
    return parts


def write_zoned_report(tmp: str, summary: dict, map_file: str | None) -> list[str]:
    """``report.md`` and the self-contained ``report.html`` of a zoned plan."""
    zt = pd.read_csv(os.path.join(tmp, "zones.csv"))
    ft = pd.read_csv(os.path.join(tmp, "features.csv"))
    write_sections(tmp, summary["title"], f"scenario {summary.get('scenario', '')}".strip(),
                   zoned_sections(summary, zt, ft, map_file))
    return ["report.md", "report.html"]
