"""Command-line interface: ``scplan`` (thin; the work is done by the library).

Exit codes: 0 success, 1 infeasible or solver failure, 2 bad input.
"""

from __future__ import annotations

import argparse
import atexit
import os
import signal
import sys
import threading
import time

from ..errors import (
    DataError,
    Infeasible,
    ScenarioError,
    ScpError,
    SolverError,
    SolverUnavailable,
)
from ..solving.backends.interrupt import stop_on_signals
from .outputs import OutputError

EXIT_OK, EXIT_SOLVE, EXIT_INPUT = 0, 1, 2
def process_started() -> float:
    """The :func:`time.perf_counter` value at which this process started (Linux: from
    ``/proc/self/stat`` and ``/proc/uptime``, so that Python's start-up and the imports count
    against a time limit too); elsewhere, now."""
    try:
        with open("/proc/self/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime") as fh:
            uptime = float(fh.read().split()[0])
        age = uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: start time in clock ticks
    except (OSError, ValueError, IndexError):
        return time.perf_counter()
    return time.perf_counter() - min(max(age, 0.0), 10.0)  # a long-lived process importing this counts from now-10 s


STARTED = process_started()
"""When this command started (time limits cover the whole command, start-up included)."""
MARXAN_TIME_LIMIT = 600.0


class Progress:
    """Progress on stderr: a line when each phase starts (compiling, LP relaxation, heuristic,
    local search, branch and bound), then branch-and-bound rows of the objective of the
    incumbent, the best bound and the gap, printed only when one of them changes (at most once a
    second). Every line starts with the seconds since the command started."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.last: tuple[str, str] | None = None

    def _write(self, text: str) -> None:
        self.stream.write(f"  {time.perf_counter() - STARTED:7.1f} s  {text}\n")
        self.stream.flush()

    def phase(self, text: str) -> None:
        self._write(text)

    def __call__(self, elapsed: float, incumbent: float, bound: float, gap: float) -> None:
        inc = f"{incumbent:,.6g}" if abs(incumbent) < 1e300 else "none yet"
        bnd = f"{bound:,.6g}" if abs(bound) < 1e300 else "-"
        if (inc, bnd) == self.last:
            return
        self.last = (inc, bnd)
        g = f"{gap:.3%}" if 0 <= gap < 1e300 else "-"
        self._write(f"incumbent {inc:>16}  bound {bnd:>16}  gap {g:>8}")

    def close(self) -> None:
        pass


def _output_args(p: argparse.ArgumentParser, out_help: str) -> None:
    p.add_argument("--out", default=None, help=out_help)
    p.add_argument("--overwrite", action="store_true", help="replace an existing results folder")


def _cluster_args(p: argparse.ArgumentParser, default_workers: str) -> None:
    p.add_argument("--scheduler", default=None, help="address of an existing dask scheduler (otherwise a local "
                   "cluster of --workers)")
    p.add_argument("--workers", type=int, default=None, help=f"local cluster size (default: {default_workers})")


def _solver_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--solver", default="highs", help="highs (default), scip (optional extra), cbc, or pulp:NAME for any PuLP solver")
    p.add_argument("--gap", type=float, default=0.0, help="relative optimality gap (default 0: proven optimal)")
    p.add_argument("--time-limit", type=float, default=MARXAN_TIME_LIMIT,
                   help="seconds for the whole command, reading and writing included; the best verified "
                   f"selection so far is kept (default {MARXAN_TIME_LIMIT:g})")
    p.add_argument("--threads", type=int, default=None, help="solver threads (default: solver's choice)")
    p.add_argument("--quiet", action="store_true", help="no progress display")


def cmd_marxan(args: argparse.Namespace) -> int:
    from .marxan.command import marxan_command

    return marxan_command(args, Progress)


def cmd_run(args: argparse.Namespace) -> int:
    from .scenario.load import load_scenario
    from .scenario.run import run_scenario

    loaded = load_scenario(args.scenario)
    overrides = {k: v for k, v in (("name", args.solver), ("gap", args.gap), ("time_limit", args.time_limit),
                                   ("threads", args.threads)) if v is not None}
    progress = None if args.quiet else Progress()
    sol, folder = run_scenario(loaded, out=args.out, overwrite=args.overwrite, progress=progress,
                               solver_overrides=overrides, started=getattr(args, "started", None))
    print(final_lines(sol))
    print(f"results: {folder}")
    print(f"report:  {os.path.join(folder, 'report.html')}")
    return EXIT_OK


def final_lines(sol) -> str:
    """The closing lines of a run: status and gap, the objective as the sum of its terms (the
    same quantity the progress rows show), coverage and targets."""
    from ..results.breakdown import objective_terms
    from .report.content import objective_equation
    from .report.fmt import status_text, unit_text

    ev = sol.evaluation
    d = sol.problem.data
    if hasattr(ev, "area_by_zone"):  # a plan with zones
        zones = ", ".join(f"{n} {ev.units_by_zone[k]:,} units ({ev.area_by_zone[k] / ev.area_total:.1%})"
                          for k, n in enumerate(sol.problem.zones.names))
        return (f"status {sol.status.value}: {status_text(sol.status.value, sol.gap)}\n"
                f"cost {ev.cost:,.6g} + penalties {ev.penalty:,.6g} = objective {ev.objective:,.6g}\n"
                f"{zones}; Target 3 coverage {ev.coverage_target3:.1%}"
                + "".join(f", {j} {v['Target 3']:.1%}" for j, v in ev.coverage_by_jurisdiction.items()))
    terms = objective_terms(ev, sol.problem.objective.name)
    return (f"status {sol.status.value}: {status_text(sol.status.value, sol.gap)}\n"
            f"{objective_equation(terms, d.unit('cost'))}\n"
            f"{ev.n_selected:,} units, {ev.area_selected:,.0f} {unit_text(d.unit('area'))}".rstrip()
            + f", coverage {ev.coverage:.1%}" + "".join(f", {k} {v:.1%}" for k, v in ev.coverage_by_jurisdiction.items())
            + f", targets met {len(ev.features) - ev.n_targets_missed}/{len(ev.features)}")


def cmd_validate(args: argparse.Namespace) -> int:
    from ..model import infeasibility_reasons
    from .scenario.build import build_problem, load_data
    from .scenario.load import load_scenario

    loaded = load_scenario(args.scenario)
    s = loaded.scenario
    msg = f"{args.scenario}: valid scenario {s.name!r}"
    if len(loaded.chain) > 1:
        msg += f" (extends {' -> '.join(os.path.basename(c) for c in loaded.chain[1:])})"
    if not args.no_data:
        data, marxan = load_data(s)
        problem = build_problem(s, data, marxan)
        reasons = infeasibility_reasons(problem)
        msg += f"; data: {data.n_pu:,} planning units, {data.n_features} features"
        if s.zones:
            from ..model.zoned_presolve import zoned_infeasibility_reasons
            from .scenario.build import UnitLayers
            from .scenario.zones import build_zoned

            zoned = build_zoned(s, problem, UnitLayers(s, data))  # every zone key checked against the data
            msg += f"; zones: {', '.join(zoned.zones.names)}"
            reasons = zoned_infeasibility_reasons(zoned)
        if reasons:
            raise Infeasible(f"{args.scenario}: the scenario {s.name!r} is valid but infeasible:", reasons)
    print(msg)
    return EXIT_OK


def cmd_sweep(args: argparse.Namespace) -> int:
    from .sweep import load_sweep, run_sweep

    sweep = load_sweep(args.sweep)
    rows, folder = run_sweep(sweep, out=args.out, overwrite=args.overwrite, scheduler=args.scheduler,
                             workers=args.workers)
    failed = [r for r in rows if r["status"] == "failed"]
    print(f"{len(rows) - len(failed)} of {len(rows)} variants solved"
          + (f"; failed: {', '.join(r['variant'] for r in failed)}" if failed else ""))
    print(f"results: {folder} (sweep.csv, sweep.md, tradeoff.png, variants/)")
    return EXIT_SOLVE if failed else EXIT_OK


def cmd_portfolio(args: argparse.Namespace) -> int:
    from .scenario.load import load_scenario
    from .scenario.portfolio_run import run_portfolio

    loaded = load_scenario(args.scenario)
    port, folder = run_portfolio(loaded, n=args.n, gap=args.gap, importance=args.importance, out=args.out,
                                 overwrite=args.overwrite, scheduler=args.scheduler, workers=args.workers,
                                 ranks=args.ranks)
    objs = [sol.objective for sol in port.solutions]
    print(f"{len(objs)} distinct solutions within {args.gap:.1%}: objectives {objs[0]:,.6g} to {objs[-1]:,.6g}")
    print(f"results: {folder}")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from .report import report_from_folder

    md, page = report_from_folder(args.results)
    print(f"report written: {md}, {page}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scplan", description="Systematic conservation planning with exact "
                                     "integer programming (scp).")
    parser.add_argument("--version", action="version", version=f"scp {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    m = sub.add_parser("marxan", help="solve a Marxan (or Marxan with Zones) project exactly and write "
                       "Marxan-style outputs",
                       description="Read a Marxan project (folder with input.dat), solve it exactly, write "
                       "output_best.csv, output_mvbest.csv, output_sum.csv, summary.json, map.png and a report. "
                       "A Marxan with Zones project (input.dat names ZONESNAME) is solved with its zones: "
                       "output_best.csv then gives each unit's zone id.")
    m.add_argument("input", help="Marxan project folder (holding input.dat) or its input.dat")
    _output_args(m, "results folder (default results/<project folder name>)")
    m.add_argument("--blm", type=float, default=None, help="override input.dat's BLM")
    m.add_argument("--marxan-bin", default=None,
                   help="your Marxan executable, run on a copy for a side-by-side table (or set MARXAN_BIN)")
    _solver_args(m)
    m.set_defaults(func=cmd_marxan)

    r = sub.add_parser("run", help="solve a scenario YAML and write maps, tables and a report",
                       description="Validate SCENARIO.yaml, load its data, solve, verify, and write solution.csv, "
                       "features.csv, summary.json, solution.nc/.tif (grid data), map.png, report.md/html.")
    r.add_argument("scenario", help="scenario YAML file")
    _output_args(r, "results folder (default: outputs.dir or results/<name>)")
    r.add_argument("--solver", default=None, help="override solver.name (highs, scip, cbc, pulp:NAME)")
    r.add_argument("--gap", type=float, default=None, help="override solver.gap")
    r.add_argument("--time-limit", type=float, default=None,
                   help="override solver.time_limit: seconds for the whole run, loading and writing included")
    r.add_argument("--threads", type=int, default=None, help="override solver.threads")
    r.add_argument("--quiet", action="store_true", help="no progress display")
    r.set_defaults(func=cmd_run)

    v = sub.add_parser("validate", help="check a scenario YAML (and its data) without solving",
                       description="Check the scenario against the schema, follow extends:, check input files, "
                       "load the data and run the presolve checks.")
    v.add_argument("scenario", help="scenario YAML file")
    v.add_argument("--no-data", action="store_true", help="check the document only, do not load data")
    v.set_defaults(func=cmd_validate)

    sw = sub.add_parser("sweep", help="run many variants of a scenario in parallel (dask.distributed)",
                        description="Run every variant of a sweep file (see scp.sweep) on a local dask cluster or "
                        "an existing one; write sweep.csv, sweep.md, tradeoff.png and one results folder per "
                        "variant. A failed variant is reported and the others finish (exit code 1 if any failed).")
    sw.add_argument("sweep", help="sweep YAML file")
    _output_args(sw, "sweep folder (default: outputs.dir or results/<name>)")
    _cluster_args(sw, "the sweep's 'workers', else the CPU count")
    sw.set_defaults(func=cmd_sweep)

    pf = sub.add_parser("portfolio", help="near-optimal solutions, selection frequency and importance",
                        description="Find up to N distinct solutions within GAP of the optimum (no-good cuts), "
                        "write their selection frequency, and with --importance the replacement cost of every "
                        "selected unit of the optimum (re-solves in parallel on dask with --workers > 1).")
    pf.add_argument("scenario", help="scenario YAML file")
    _output_args(pf, "results folder (default: <outputs.dir>_portfolio)")
    pf.add_argument("--n", type=int, default=10, help="number of solutions (default 10)")
    pf.add_argument("--gap", type=float, default=0.01, help="largest relative distance to the optimum (default 0.01)")
    pf.add_argument("--importance", action="store_true", help="replacement cost of each selected unit")
    pf.add_argument("--ranks", type=int, default=None, metavar="N",
                    help="rank importance of each selected unit in N budget steps (N re-solves)")
    _cluster_args(pf, "1: re-solves one by one")
    pf.set_defaults(func=cmd_portfolio)

    rp = sub.add_parser("report", help="re-render report.md/report.html of a results folder",
                        description="Render the report from summary.json and features.csv of a results folder.")
    rp.add_argument("results", help="results folder written by 'scplan run'")
    rp.set_defaults(func=cmd_report)
    return parser


def _version() -> str:
    from .._version import __version__

    return __version__


def _with_source(args: argparse.Namespace, exc: Exception) -> str:
    """The message, preceded by the input file the command was given when it does not name it."""
    msg = " ".join(str(exc).split("\n"))
    src = getattr(args, "scenario", None) or getattr(args, "sweep", None) or getattr(args, "input", None)
    if src and os.path.basename(os.path.normpath(src)) not in msg:
        msg = f"{src}: {msg}"
    return msg


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_OK
    t0 = time.perf_counter()
    args.started = STARTED if argv is None else t0  # time limits cover the whole command
    with stop_on_signals():
        try:
            code = args.func(args)
        except (DataError, ScenarioError) as exc:
            print(f"error: {_with_source(args, exc)}", file=sys.stderr)
            return EXIT_INPUT
        except (OutputError, FileExistsError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_INPUT
        except SolverUnavailable as exc:
            print(f"error: {_with_source(args, exc)}", file=sys.stderr)
            return EXIT_INPUT
        except Infeasible as exc:
            print(f"infeasible: {exc}", file=sys.stderr)
            return EXIT_SOLVE
        except SolverError as exc:
            print(f"solver failure: {exc}", file=sys.stderr)
            return EXIT_SOLVE
        except ScpError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_SOLVE
        except OSError as exc:  # a file or folder that cannot be read or written: one line naming it
            where = exc.filename if exc.filename is not None else ""
            print(f"error: {where}{': ' if where else ''}{exc.strerror or exc}", file=sys.stderr)
            return EXIT_INPUT
        except KeyboardInterrupt as exc:
            signum = getattr(exc, "signum", None)
            name = "terminated" if signum == signal.SIGTERM else "interrupted"
            print(f"\n{name}; no results folder was written or changed", file=sys.stderr)
            return 143 if signum == signal.SIGTERM else 130
    sys.stdout.flush()  # the results lines first, then the timing
    print(f"done in {time.perf_counter() - args.started:.1f} s", file=sys.stderr)
    return code


def entry() -> None:
    """The ``scplan`` console script: :func:`main`, then a quick exit. Once the command is done
    (every file closed and renamed into place), the streams are flushed and the exit handlers run
    (``atexit``); when no other thread is left, the process then ends without tearing down every
    imported module one by one, which takes ~0.3 s (numba, matplotlib, HiGHS), time that counts
    against ``--time-limit``."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
