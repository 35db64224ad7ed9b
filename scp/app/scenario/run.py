"""Run a scenario end to end and write its results folder atomically.

Files written: ``solution.csv`` (one row per PU), ``features.csv`` (held, target, met,
shortfall), ``summary.json``, ``scenario.yaml`` (the merged scenario as run), for grid
data ``solution.nc`` and, with scp[geo], ``solution.tif``; ``map.png``; ``report.md`` and
``report.html``.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import pandas as pd
import yaml

from ...problem.constraints import Budget, Coverage, Linear
from ...problem.graph import Contiguity, Corridor, Neighbours
from ...problem.penalties import BoundaryPenalty, ConnectivityPenalty
from ...solving import solve
from ...solving.deadline import Deadline, output_reserve
from ..outputs import ResultsFolder, write_json
from ..plot import CATEGORIES, plot_selection, selection_categories
from ..report import features_table, write_report
from .build import build_problem, load_data, solver_options
from .load import LoadedScenario


def formulation_text(problem) -> str:
    """Plain-text statement of the optimisation problem a Problem compiles to."""
    o = problem.objective
    lines = []
    pen = []
    for p in problem.penalties:
        if isinstance(p, BoundaryPenalty):
            pen.append(f"{p.penalty:g} * boundary(x)   [boundary(x) = {p.edge_factor:g} * exposed edges of selected "
                       "units + shared edges with one side selected]")
        elif isinstance(p, ConnectivityPenalty):
            pen.append(f"{p.penalty:g} * connectivity lost (sum D_ij x_i (1 - x_j), "
                       f"{'asymmetric' if p.asymmetric else 'symmetric'})")
    if o.name == "min_set":
        lines.append("minimise   sum_i cost_i x_i" + "".join(f"\n         + {t}" for t in pen))
        lines.append("subject to sum_i amount_ij x_i >= target_j   for every feature j with a target")
    elif o.name == "max_utility":
        lines.append("maximise   sum_j w_j sum_i amount_ij x_i" + "".join(f"\n         - {t}" for t in pen))
        lines.append(f"subject to sum_i cost_i x_i <= {o.budget:g}")
    else:
        lines.append("minimise   sum_j w_j shortfall_j / target_j" + "".join(f"\n         + {t}" for t in pen))
        lines.append(f"subject to shortfall_j >= target_j - sum_i amount_ij x_i,  sum_i cost_i x_i <= {o.budget:g}")
    for c in problem.constraints:
        if isinstance(c, Coverage):
            where = "the whole region" if c.by is None else ("each jurisdiction" if c.by == "jurisdiction"
                                                             else f"jurisdiction {', '.join(c.by)}")
            lines.append(f"           sum_(i in K) area_i x_i >= {c.fraction:g} * area(K)   for K = {where}")
        elif isinstance(c, Budget):
            lines.append(f"           sum_i cost_i x_i <= {c.amount:g}")
        elif isinstance(c, Linear):
            lines.append(f"           linear constraint {c.name}: g . x {c.sense} {c.rhs:g}")
    for c in problem.constraints:
        if isinstance(c, Contiguity):
            lines.append("           the selection is one connected network (single-commodity flow)" if c.mode == "selection"
                         else "           every part of the selection is joined to a locked-in unit (flow)")
        elif isinstance(c, Neighbours):
            lines.append(f"           sum_(j in N(i)) x_j >= {c.k} x_i   ({c.neighbours}-neighbours of every unit i)")
        elif isinstance(c, Corridor):
            extra = f"; + {c.weight:g} * resistance of the cheapest chain in the objective" if c.weight > 0 else ""
            lines.append(f"           corridor {c.name}: a chain of selected neighbouring units joins its two areas "
                         f"(unit flow){extra}")
    lines.append("           x_i = 1 for locked-in units, x_i = 0 for locked-out units, x_i in {0, 1}")
    return "\n".join(lines)


def default_out(loaded: LoadedScenario) -> str:
    s = loaded.scenario
    return s.outputs.dir or os.path.join("results", s.name)


def write_grids(tmp: str, data, selection: np.ndarray, categories: np.ndarray) -> list[str]:
    """``solution.nc`` and (with rioxarray) ``solution.tif`` for grid data."""
    written = []
    sel = data.to_grid(selection.astype(np.float64), name="selected")
    cat = data.to_grid(categories.astype(np.float64), name="category")
    cat.attrs.update({"flag_values": np.arange(len(CATEGORIES)),
                      "flag_meanings": " ".join(c.replace(" ", "_") for c, _ in CATEGORIES)})
    ds = sel.to_dataset()
    ds["category"] = cat
    ds.attrs["title"] = "scp selection: 1 selected, 0 not selected, NaN not a planning unit"
    path = os.path.join(tmp, "solution.nc")
    ds.to_netcdf(path)
    written.append(path)
    try:
        import rioxarray  # noqa: F401
    except ImportError:
        return written
    ydim, xdim = data.grid.dims
    da = sel.astype("float32").rio.set_spatial_dims(x_dim=xdim, y_dim=ydim)
    crs = data.grid.attrs.get("crs")
    if crs:
        da = da.rio.write_crs(crs)
    path = os.path.join(tmp, "solution.tif")
    da.rio.to_raster(path)
    written.append(path)
    return written


def run_scenario(loaded: LoadedScenario, out: str | None = None, overwrite: bool = False, progress=None,
                 solver_overrides: dict | None = None, log=None, started: float | None = None):
    """Load data, build and solve the scenario, write the results folder; returns (solution, folder).

    The solver's time limit covers the whole run from ``started`` (a :func:`time.perf_counter`
    value; default now): loading, solving, and writing the results (a reserve is kept for that)."""
    log = log or sys.stderr
    s = loaded.scenario
    out = out or default_out(loaded)
    folder = ResultsFolder(out, overwrite=overwrite, inputs=loaded.inputs)  # all checks before any work
    data, marxan = load_data(s)
    problem = build_problem(s, data, marxan)
    opts = solver_options(s, solver_overrides)
    limit = opts["time_limit"]
    deadline = Deadline(limit, reserve=output_reserve(limit), start=started or time.perf_counter())
    print(f"scenario {s.name}: {data.n_pu:,} planning units, {data.n_features} features; solving with "
          f"{opts['solver']} (gap {opts['gap']:g}{', time limit %g s' % opts['time_limit'] if opts['time_limit'] else ''})",
          file=log)
    try:
        sol = solve(problem, progress=progress if opts["solver"] == "highs" else None, deadline=deadline, **opts)
    finally:
        if progress is not None and hasattr(progress, "close"):
            progress.close()
    ev = sol.evaluation
    cats = selection_categories(sol)
    with folder as tmp:
        frame = sol.to_frame()
        frame["category"] = np.array([c.replace(" ", "_") for c, _ in CATEGORIES])[cats]
        frame.to_csv(os.path.join(tmp, "solution.csv"), index=False, float_format="%.17g")
        feats = features_table(ev)
        feats.to_csv(os.path.join(tmp, "features.csv"), index=False, float_format="%.17g")
        outputs = ["solution.csv", "features.csv"]
        if data.grid is not None:
            outputs += [os.path.basename(p) for p in write_grids(tmp, data, sol.selection, cats)]
        if data.geometry is not None:
            import geopandas

            gdf = geopandas.GeoDataFrame(frame.assign(geometry=data.geometry.values), geometry="geometry",
                                         crs=getattr(data.geometry, "crs", None))
            gdf.to_file(os.path.join(tmp, "solution.gpkg"), layer="solution", driver="GPKG")
            outputs.append("solution.gpkg")
        with open(os.path.join(tmp, "scenario.yaml"), "w") as fh:
            yaml.safe_dump(loaded.document, fh, sort_keys=False)
        map_file = None
        if s.outputs.map:
            xy = marxan.xy if marxan is not None else None
            if plot_selection(sol, os.path.join(tmp, "map.png"), xy=xy,
                              title=f"{s.name}: cost {ev.cost:,.0f}, coverage {ev.coverage:.1%}"):
                map_file = "map.png"
                outputs.append("map.png")
        inputs = [("scenario file", loaded.source), ("planning units", data.n_pu), ("features", data.n_features),
                  ("locked in", int((cats == 2).sum())), ("locked out", int((cats == 3).sum())),
                  ("jurisdictions", ", ".join(data.jurisdictions) or "-"), ("solver", opts["solver"]),
                  ("requested gap", opts["gap"]), ("time limit (s)", opts["time_limit"])]
        summary = {"scenario": s.name, "title": f"Scenario {s.name}", "description": s.description,
                   **sol.summary(), "scenario_digest": loaded.digest, "scenario_source": loaded.source,
                   "extends": list(loaded.chain[1:]), "inputs": inputs, "formulation": formulation_text(problem),
                   "outputs": outputs + ["summary.json", "report.md", "report.html", "scenario.yaml"]}
        if s.indicators is not None:
            from ...results.protconn import protconn

            summary["protconn"] = protconn(sol.problem.data, sol.selection, s.indicators.dispersal_distance).as_dict()
        write_json(os.path.join(tmp, "summary.json"), summary)
        if s.outputs.report:
            write_report(tmp, summary, feats, summary["title"], map_file)
    return sol, os.path.abspath(out)


def read_solution_csv(folder: str) -> pd.DataFrame:
    """The per-PU table of a results folder."""
    return pd.read_csv(os.path.join(folder, "solution.csv"))
