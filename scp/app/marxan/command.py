"""``scplan marxan``: solve a Marxan project exactly and write Marxan-style outputs, a map and a report."""

from __future__ import annotations

import argparse
import os
import time
import sys

import pandas as pd

from ...data.io.marxan import read_marxan
from ...data.io.marzone import is_marzone
from ...problem.marxan import marxan_problem
from ...solving import solve
from ..maps import plot_selection
from ..outputs import ResultsFolder, write_json
from ..report import features_table, report_facts, write_report
from ..report.fmt import status_text
from .run import find_marxan, run_marxan
from .timed import solve_under_deadline
from .write import boundary_parts, write_marxan_outputs


def marxan_command(args: argparse.Namespace, progress_factory) -> int:
    """``scplan marxan``: a Marxan project solved exactly (a Marxan with Zones project goes to
    :func:`~scp.app.marxan.zones_run.cmd_marzone`); ``progress_factory`` makes the progress display."""
    if is_marzone(args.input):
        from .zones_run import cmd_marzone

        if args.marxan_bin:
            print("note: --marxan-bin runs Marxan, not Marxan with Zones; no side-by-side run for a zones project",
                  file=sys.stderr)
        return cmd_marzone(args, progress_factory)
    project = read_marxan(args.input)
    marxan_bin = find_marxan(args.marxan_bin)
    out = args.out or os.path.join("results", os.path.basename(os.path.abspath(project.folder)))
    with ResultsFolder(out, overwrite=args.overwrite, inputs=(project.folder,)) as tmp:
        for note in project.notes:
            print(f"note: {note}", file=sys.stderr)
        problem = marxan_problem(project, blm=args.blm)
        d = project.data
        print(f"Marxan project {project.folder}: {d.n_pu} planning units, {d.n_features} features, "
              f"BLM {project.blm if args.blm is None else args.blm:g}; solving with {args.solver} "
              f"(gap {args.gap:g})", file=sys.stderr)
        t_solve = time.perf_counter()
        sol = solve_under_deadline(args, progress_factory, lambda deadline, progress: solve(
            problem, args.solver, gap=args.gap, threads=args.threads, deadline=deadline, progress=progress,
            warm_start="heuristic"), n_units=d.n_pu)
        write_marxan_outputs(sol, tmp, misslevel=project.misslevel, feature_ids=project.feature_ids)
        parts = boundary_parts(d.boundary, sol.selection)
        blm = project.blm if args.blm is None else args.blm
        rows = [{"tool": f"scp ({sol.solver})", "score": sol.cost + blm * parts["connectivity"], "cost": sol.cost,
                 "boundary": parts["connectivity"], "missed_targets": sol.evaluation.n_targets_missed,
                 "time_s": time.perf_counter() - t_solve, "gap": sol.gap}]  # wall time, as Marxan's
        if marxan_bin:
            print(f"running Marxan ({marxan_bin}) on a copy of the project ...", file=sys.stderr)
            m = run_marxan(marxan_bin, project)
            m.pop("selection")
            rows.append(m)
        table = pd.DataFrame(rows)
        table.to_csv(os.path.join(tmp, "comparison.csv"), index=False)
        summary = {"scenario": f"marxan:{os.path.basename(os.path.abspath(project.folder))}", **sol.summary(),
                   **report_facts(sol), "blm": blm,
                   "marxan_score": rows[0]["score"], "scenario_digest": sol.model_digest}
        if len(rows) > 1:
            summary["marxan_comparison"] = rows
        map_file = plot_selection(sol, os.path.join(tmp, "map.png"), xy=project.xy,
                                  title=f"Marxan project {os.path.basename(os.path.abspath(project.folder))}, "
                                        f"score {rows[0]['score']:,.0f} ({status_text(sol.status.value, sol.gap)})")
        formulation = ("min  sum_i c_i x_i + BLM * [ sum_i b_ii x_i + sum_{i != j} b_ij x_i (1 - x_j) ]\n"
                       "s.t. sum_i r_ij x_i >= t_j for every feature j (t_j = prop_j * total_j or target_j)\n"
                       "     x_i = 1 for status 2, x_i = 0 for status 3, x_i in {0, 1}\n"
                       "Boundary counted as Marxan does: each listed pair with one side selected once,\n"
                       "self pairs (exposed edges) of selected units once.")
        summary["title"] = "Marxan project solved by scp's exact solver"
        summary["formulation_words"] = (
            "Choose the planning units of least cost plus BLM times boundary length such that every feature "
            "reaches its target (Marxan's objective with targets as hard constraints), keeping status-2 units "
            "and leaving out status-3 units.")
        summary["inputs"] = [("project", os.path.basename(os.path.abspath(project.folder))), ("planning units", d.n_pu), ("features", d.n_features),
                             ("BLM", blm), ("locked in", int((d.status == 1).sum())),
                             ("locked out", int((d.status == 2).sum())), ("solver", args.solver), ("gap", args.gap)]
        summary["formulation"] = formulation
        write_json(os.path.join(tmp, "summary.json"), summary)
        feats = features_table(sol.evaluation, d)
        feats.to_csv(os.path.join(tmp, "features.csv"), index=False, float_format="%.17g")
        write_report(tmp, summary, feats, summary["title"], "map.png" if map_file else None)
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.2f}",
                          formatters={"gap": lambda v: "-" if pd.isna(v) else f"{v:.3%}"}))
    print(f"results: {os.path.abspath(out)}")
    print(f"report:  {os.path.join(os.path.abspath(out), 'report.html')}")
    return 0
