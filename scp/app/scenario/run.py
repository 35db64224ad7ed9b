"""Run a scenario end to end and write its results folder atomically.

Files written: ``solution.csv`` (one row per unit, with ``x``, ``y`` and ``lon``, ``lat`` when
known), ``features.csv`` (unit, held, target, shares, met, shortfall), ``summary.json``,
``scenario.yaml`` (the merged scenario as run); for grid data ``solution.nc`` and, with
scp[geo], ``solution.tif``, ``categories.tif`` + ``categories.qml`` and ``solution.gpkg``;
for polygon data ``solution.gpkg``; ``map.png`` + ``map.svg``; ``report.md`` and the
self-contained ``report.html``.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import pandas as pd
import yaml

from ...solving import solve
from ...solving.deadline import command_deadline, output_reserve
from ..gis import add_coordinates, write_gis
from ..legend import CATEGORIES, category_slugs, selection_categories
from ..maps import plot_selection
from ..outputs import ResultsFolder, write_json
from ..report import features_table, report_facts, write_report
from ...solving.zoned import solve_zoned
from .build import UnitLayers, build_problem, load_data, solver_options
from .zoned_results import write_zoned_report, write_zoned_results
from .zones import build_zoned
from .context import map_context
from .formulation import formulation_text, formulation_words
from .load import LoadedScenario


def default_out(loaded: LoadedScenario) -> str:
    s = loaded.scenario
    return s.outputs.dir or os.path.join("results", s.name)


def write_netcdf(tmp: str, data, selection: np.ndarray, categories: np.ndarray) -> str:
    """``solution.nc``: ``selected`` (1/0, NaN outside the units) and ``category`` (CF flags)."""
    sel = data.to_grid(selection.astype(np.float64), name="selected")
    cat = data.to_grid(categories.astype(np.float64), name="category")
    cat.attrs.update({"flag_values": np.array([c.code for c in CATEGORIES]),
                      "flag_meanings": " ".join(c.slug for c in CATEGORIES)})
    ds = sel.to_dataset()
    ds["category"] = cat
    ds.attrs["title"] = "scp selection: 1 selected, 0 not selected, NaN not a planning unit"
    path = os.path.join(tmp, "solution.nc")
    ds.to_netcdf(path)
    return "solution.nc"


def display_path(path: str) -> str:
    """``path`` relative to the working directory when it lies below it, else its last two parts
    (reports name inputs without exposing a local absolute path)."""
    rel = os.path.relpath(os.path.abspath(path))
    if not rel.startswith(".."):
        return rel
    return os.path.join(*os.path.abspath(path).split(os.sep)[-2:])


def run_scenario(loaded: LoadedScenario, out: str | None = None, overwrite: bool = False, progress=None,
                 solver_overrides: dict | None = None, log=None, started: float | None = None):
    """Load data, build and solve the scenario, write the results folder; returns (solution, folder).

    The solver's time limit covers the whole run from ``started`` (a :func:`time.perf_counter`
    value; default now): loading, solving, and writing the results (a reserve is kept for that)."""
    log = log or sys.stderr
    s = loaded.scenario
    out = out or default_out(loaded)
    folder = ResultsFolder(out, overwrite=overwrite, inputs=loaded.inputs)  # all checks before any work
    print(f"loading {display_path(loaded.source)} ...", file=log, flush=True)
    data, marxan = load_data(s)
    problem = build_problem(s, data, marxan)
    context = map_context(s, data) if s.outputs.map else None
    opts = solver_options(s, solver_overrides)
    limit = opts["time_limit"]
    deadline = command_deadline(limit, started or time.perf_counter(), output_reserve(limit))
    print(f"scenario {s.name}: {data.n_pu:,} planning units, {data.n_features} features; solving with "
          f"{opts['solver']} (gap {opts['gap']:g}{', time limit %g s' % opts['time_limit'] if opts['time_limit'] else ''})",
          file=log, flush=True)
    if s.zones:
        return _run_zoned(loaded, folder, data, marxan, problem, opts, deadline, progress, log, out)
    try:
        sol = solve(problem, progress=progress, deadline=deadline, **opts)
    finally:
        if progress is not None and hasattr(progress, "close"):
            progress.close()
    ev = sol.evaluation
    cats = selection_categories(sol)
    print("writing results ...", file=log, flush=True)
    with folder as tmp:
        xy = marxan.xy if marxan is not None else None
        frame = add_coordinates(sol.to_frame(), data, xy).assign(category=category_slugs(cats))
        frame.to_csv(os.path.join(tmp, "solution.csv"), index=False, float_format="%.17g")
        feats = features_table(ev, data)
        feats.to_csv(os.path.join(tmp, "features.csv"), index=False, float_format="%.17g")
        outputs = ["solution.csv", "features.csv"]
        if data.grid is not None:
            outputs.append(write_netcdf(tmp, data, sol.selection, cats))
        outputs += write_gis(tmp, data, frame.drop(columns="category"), sol.selection, cats)
        with open(os.path.join(tmp, "scenario.yaml"), "w") as fh:
            yaml.safe_dump(loaded.document, fh, sort_keys=False)
        title = s.title or f"Scenario {s.name}"
        map_file = None
        if s.outputs.map and plot_selection(sol, os.path.join(tmp, "map.png"), xy=xy, title=title, context=context):
            map_file = "map.png"
            outputs += ["map.png", "map.svg"]
        inputs = [("scenario file", display_path(loaded.source)), ("planning units", data.n_pu),
                  ("features", data.n_features), ("locked in", int((cats == 2).sum())),
                  ("locked out", int((cats == 3).sum())), ("jurisdictions", ", ".join(data.jurisdictions) or "-"),
                  ("solver", opts["solver"]), ("requested gap", opts["gap"]), ("time limit (s)", opts["time_limit"])]
        summary = {"scenario": s.name, "title": title, "description": s.description,
                   **sol.summary(), **report_facts(sol), "scenario_digest": loaded.digest,
                   "data_digest": loaded.data_digest, "scenario_source": display_path(loaded.source),
                   "extends": [display_path(p) for p in loaded.chain[1:]], "inputs": inputs,
                   "formulation": formulation_text(problem), "formulation_words": formulation_words(problem),
                   "outputs": outputs + ["summary.json", "report.md", "report.html", "scenario.yaml"]}
        if s.indicators is not None:
            from ...results.protconn import protconn

            summary["protconn"] = protconn(sol.problem.data, sol.selection, s.indicators.dispersal_distance).as_dict()
        write_json(os.path.join(tmp, "summary.json"), summary)
        if s.outputs.report:
            write_report(tmp, summary, feats, title, map_file)
    return sol, os.path.abspath(out)


def _run_zoned(loaded: LoadedScenario, folder, data, marxan, problem, opts, deadline, progress, log, out):
    """A scenario with zones: solved exactly (the heuristics of the plain problem do not handle
    zones), results written by :mod:`scp.app.scenario.zoned_results`."""
    s = loaded.scenario
    zoned = build_zoned(s, problem, UnitLayers(s, data))
    kwargs = {k: v for k, v in opts.items() if k in ("solver", "gap", "threads", "formulation")}
    try:
        sol = solve_zoned(zoned, progress=progress, deadline=deadline, **kwargs)
    finally:
        if progress is not None and hasattr(progress, "close"):
            progress.close()
    print("writing results ...", file=log, flush=True)
    title = s.title or f"Scenario {s.name}"
    with folder as tmp:
        summary, files = write_zoned_results(tmp, sol, s, title, data.unit, marxan.xy if marxan is not None else None,
                                             map_context(s, data) if s.outputs.map else None)
        with open(os.path.join(tmp, "scenario.yaml"), "w") as fh:
            yaml.safe_dump(loaded.document, fh, sort_keys=False)
        summary.update({"scenario": s.name, "description": s.description, "scenario_digest": loaded.digest,
                        "data_digest": loaded.data_digest, "scenario_source": display_path(loaded.source),
                        "outputs": files + ["summary.json", "scenario.yaml"]
                        + (["report.md", "report.html"] if s.outputs.report else [])})
        write_json(os.path.join(tmp, "summary.json"), summary)
        if s.outputs.report:
            write_zoned_report(tmp, summary, "map.png" if "map.png" in files else None)
    return sol, os.path.abspath(out)


def read_solution_csv(folder: str) -> pd.DataFrame:
    """The per-PU table of a results folder."""
    return pd.read_csv(os.path.join(folder, "solution.csv"))
