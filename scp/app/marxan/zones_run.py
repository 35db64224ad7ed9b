"""``scplan marxan`` on a Marxan with Zones project: solve exactly, write MarZone-style outputs.

The project is read as MarZone 4 reads it (:mod:`scp.data.io.marzone`), solved as the zoned
minimum-set problem with targets as constraints (:mod:`scp.problem.marzone`), verified, and scored
with MarZone's own objective from the allocation (:mod:`scp.results.marzone`); the results folder
holds ``output_best.csv`` (zone ids), ``output_sum.csv``, ``output_mvbest.csv``, the zoned results
(``solution.csv``, ``zones.csv``, ``features.csv``), ``summary.json`` and the report.
"""

from __future__ import annotations

import argparse
import os
import sys
from types import SimpleNamespace

from ...data.io.marzone import read_marzone
from ...problem.marzone import marzone_allocation, marzone_offset, marzone_problem
from ...results.marzone import marzone_score
from ...solving.zoned import solve_zoned
from ..outputs import ResultsFolder, write_json
from ..scenario.zoned_results import write_zoned_report, write_zoned_results
from .timed import solve_under_deadline
from .zones_write import write_marzone_outputs

FORMULATION = ("min  sum_i C[i, s_i] + sum_{i<j} b_ij G[s_i, s_j]   (+ constant self rows of bound.dat)\n"
               "s.t. sum_i sum_z w_fz r_fi x_iz >= t_f for every feature (contributions, all zones)\n"
               "     sum_i r_fi x_iz >= T_fz for every zone target (full amounts in zone z)\n"
               "     sum_z x_iz = 1 (every unit in one zone), pulock.dat and puzone.dat respected\n"
               "MarZone's score with every target met; C = cost columns x zonecost.dat, G = zoneboundcost.dat.")


def cmd_marzone(args: argparse.Namespace, progress_factory) -> int:
    """Run ``scplan marxan`` on a MarZone project (``args`` as parsed for ``marxan``)."""
    project = read_marzone(args.input)
    name = os.path.basename(os.path.abspath(project.folder))
    out = args.out or os.path.join("results", name)
    if args.blm is not None:
        print("note: --blm is ignored for a Marxan with Zones project: zoneboundcost.dat weighs the boundary",
              file=sys.stderr)
    with ResultsFolder(out, overwrite=args.overwrite, inputs=(project.folder,)) as tmp:
        problem = marzone_problem(project)
        for note in project.notes:
            print(f"note: {note}", file=sys.stderr)
        d = project.data
        print(f"Marxan with Zones project {project.folder}: {d.n_pu} planning units, {d.n_features} features, "
              f"{project.n_zones} zones ({', '.join(project.zones.names)}); solving with {args.solver} "
              f"(gap {args.gap:g})", file=sys.stderr)
        sol = solve_under_deadline(args, progress_factory, lambda deadline, progress: solve_zoned(
            problem, args.solver, gap=args.gap, threads=args.threads, deadline=deadline, progress=progress))
        allocation = marzone_allocation(project, sol.allocation)
        score = marzone_score(project, allocation)
        write_marzone_outputs(project, allocation, score, tmp)
        shim = SimpleNamespace(zones={n: SimpleNamespace(label=n) for n in problem.zones.names},
                               outputs=SimpleNamespace(map=True))
        title = f"Marxan with Zones project {name} solved by scp's exact solver"
        summary, files = write_zoned_results(tmp, sol, shim, title, d.unit)
        summary.update({"scenario": f"marzone:{name}", "marzone_score": score.score,
                        "marzone_score_parts": {"cost": score.cost, "connection": score.connection,
                                                "penalty": score.penalty, "shortfall": score.shortfall,
                                                "missing_values": score.missing, "mpm": score.mpm},
                        "constant_in_score": marzone_offset(project), "formulation": FORMULATION,
                        "notes": project.notes,
                        "outputs": files + ["output_best.csv", "output_sum.csv", "output_mvbest.csv",
                                            "summary.json", "report.md", "report.html"]})
        write_json(os.path.join(tmp, "summary.json"), summary)
        write_zoned_report(tmp, summary, "map.png" if "map.png" in files else None)
    gap = "proven optimal" if sol.status.value == "optimal" else f"{sol.status.value}, gap {sol.gap:.3%}"
    print(f"MarZone score {score.score:,.6g} (cost {score.cost:,.6g} + connection {score.connection:,.6g} + "
          f"penalty {score.penalty:,.6g}); {gap}; zones: "
          + ", ".join(f"{n} {c}" for n, c in zip(project.zones.names, score.zone_units)))
    print(f"results: {os.path.abspath(out)}")
    print(f"report:  {os.path.join(os.path.abspath(out), 'report.html')}")
    return 0
