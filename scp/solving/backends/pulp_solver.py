"""PuLP backend: CBC (bundled with PuLP) and every solver PuLP drives.

The compiled model is written once as MPS (vectorised, see :mod:`scp.solvers.mps`):

* ``cbc`` (PuLP's bundled CBC, or ``COIN_CMD``): the MPS file goes straight to the CBC
  executable that PuLP ships/finds; its log gives the best bound and gap.
* any other PuLP solver by name (``GUROBI_CMD``, ``CPLEX_CMD``, ``SCIP_CMD``, ``HiGHS``...):
  the MPS file is read with :meth:`pulp.LpProblem.fromMPS` and solved by that solver.
  This path builds PuLP objects and is slower to set up; the bound is known only when
  the solver proves optimality.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time

import numpy as np

from ...errors import SolverError, SolverUnavailable
from ...model.model import Model
from .base import SolveOptions, SolverResult, Status, relative_gap
from .mps import write_mps

CBC_NAMES = {"cbc", "pulp", "pulp_cbc_cmd", "pulp:pulp_cbc_cmd", "pulp:cbc", "coin_cmd", "pulp:coin_cmd"}


def _pulp():
    try:
        import pulp
    except ImportError as exc:  # pragma: no cover - pulp is a core dependency
        raise SolverUnavailable("the PuLP backend needs the pulp package: pip install pulp") from exc
    return pulp


def cbc_path() -> str:
    """Path of the CBC executable PuLP uses (bundled, or COIN_CMD on the PATH)."""
    import warnings

    pulp = _pulp()
    for cls in (pulp.COIN_CMD, pulp.PULP_CBC_CMD):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # PuLP 3 deprecates its bundled CBC
            s = cls(msg=False)
        if s.available():
            return s.path
    raise SolverUnavailable("no CBC executable found: PuLP's bundled CBC is missing on this platform; "
                            "install coinor-cbc (e.g. apt-get install coinor-cbc) or use solver='highs'")


def available_pulp_solvers() -> list[str]:
    """Names of the solvers PuLP can run on this machine."""
    return list(_pulp().listSolvers(onlyAvailable=True))


def solve_pulp(model: Model, options: SolveOptions, solver: str = "cbc") -> SolverResult:
    """Solve ``model`` with CBC or a named PuLP solver (see module docstring)."""
    name = solver.lower()
    with tempfile.TemporaryDirectory(prefix="scp-") as tmp:
        mps = os.path.join(tmp, "model.mps")
        t0 = time.perf_counter()
        with open(mps, "wb") as fh:
            write_mps(model, fh)
        build = time.perf_counter() - t0
        if name in CBC_NAMES:
            result = _run_cbc(model, options, mps, tmp)
        else:
            result = _run_generic(model, options, mps, solver.split(":", 1)[-1])
    result.build_time = build
    return result


def _run_cbc(model: Model, options: SolveOptions, mps: str, tmp: str) -> SolverResult:
    sol = os.path.join(tmp, "model.sol")
    args = [cbc_path(), mps, "-ratioGap", repr(float(options.gap)), "-randomCbcSeed", "1", "-timeMode", "elapsed"]
    if options.time_limit is not None:
        args += ["-sec", repr(float(options.time_limit))]
    if options.threads is not None:
        args += ["-threads", str(int(options.threads))]
    args += ["-solve", "-solu", sol]
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp)
    # CBC checks its time limit only between phases (a long root LP can overrun it): a
    # wall-clock guard stops it shortly after the limit (the caller keeps its heuristic selection)
    guard = None
    if options.time_limit is not None:
        import threading

        guard = threading.Timer(float(options.time_limit) + max(1.0, 0.03 * float(options.time_limit)), proc.kill)
        guard.daemon = True
        guard.start()
    lines = []
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            lines.append(line)
            if options.verbose:
                print(line, end="")
        proc.wait()
    except BaseException:  # interrupted: CBC must not outlive the run
        proc.kill()
        proc.wait()
        raise
    killed = proc.returncode is not None and proc.returncode < 0
    if guard is not None:
        guard.cancel()
    runtime = time.perf_counter() - t0
    log = "".join(lines)
    if killed and options.time_limit is not None:
        return SolverResult(Status.NO_SOLUTION, None, np.nan, np.nan, np.inf, runtime, "cbc",
                            log=log + f"\nstopped by scp after {runtime:.0f} s (time limit {options.time_limit:g} s)")
    if proc.returncode != 0 and not os.path.exists(sol):
        raise SolverError(f"CBC exited with code {proc.returncode}:\n{log[-2000:]}")
    return _parse_cbc(model, log, sol, runtime)


def _log_number(log: str, label: str) -> float:
    m = re.findall(rf"^{label}:\s+(\S+)", log, flags=re.M)
    try:
        return float(m[-1]) if m else np.nan
    except ValueError:
        return np.nan


def _parse_cbc(model: Model, log: str, sol: str, runtime: float) -> SolverResult:
    result = re.findall(r"^Result - (.*)$", log, flags=re.M)
    result = result[-1].strip() if result else ""
    x = None
    if os.path.exists(sol):
        with open(sol) as fh:
            header = fh.readline()
            body = fh.read().split()
        head = header.lower()
        no_solution = head.startswith(("infeasible", "integer infeasible", "unbounded")) or any(
            k in head for k in ("no solution", "no integer solution"))
        if not no_solution:
            x = np.zeros(model.n_cols)
            # lines: index name value reduced-cost (some CBC builds prefix '**' on infeasible rows)
            tokens = [t for t in body if t != "**"]
            arr = np.array(tokens, dtype=object).reshape(-1, 4)
            idx = arr[:, 0].astype(np.int64)
            x[idx] = arr[:, 2].astype(np.float64)
    r = result.lower()
    if not r and re.search(r"^Problem is infeasible", log, flags=re.M):
        r = "infeasible"  # CBC's presolve proved it before branch and bound (no "Result -" line)
    if "infeasible" in r:
        status = Status.INFEASIBLE
    elif "unbounded" in r:
        status = Status.UNBOUNDED
    elif r.startswith("optimal"):
        status = Status.OPTIMAL
    elif "stopped" in r:
        status = Status.TIME_LIMIT if x is not None else Status.NO_SOLUTION
    else:
        status = Status.ERROR
    obj = float(model.c @ x) + model.offset if x is not None else np.nan
    bound = _log_number(log, "Lower bound")
    if np.isfinite(bound):
        bound += model.offset
    if status is Status.OPTIMAL and not np.isfinite(bound):
        bound = obj
    gap = relative_gap(obj, bound) if x is not None else np.inf
    if status is Status.OPTIMAL and "gap tolerance" not in r:
        bound, gap = obj, 0.0
    return SolverResult(status, x, obj, bound, gap, runtime, "cbc", log=log, extra={"result": result})


def _run_generic(model: Model, options: SolveOptions, mps: str, name: str) -> SolverResult:
    pulp = _pulp()
    known = pulp.listSolvers()
    match = [s for s in known if s.lower() == name.lower()]
    if not match:
        raise SolverUnavailable(f"PuLP knows no solver {name!r}; PuLP's solvers are {known}")
    kwargs = {"msg": bool(options.verbose)}
    if options.time_limit is not None:
        kwargs["timeLimit"] = float(options.time_limit)
    kwargs["gapRel"] = float(options.gap)
    if options.threads is not None:
        kwargs["threads"] = int(options.threads)
    try:
        solver = pulp.getSolver(match[0], **kwargs)
    except TypeError:
        solver = pulp.getSolver(match[0], msg=bool(options.verbose))
    if not solver.available():
        raise SolverUnavailable(f"PuLP solver {match[0]!r} is not available on this machine; "
                                f"available: {available_pulp_solvers()}")
    variables, prob = pulp.LpProblem.fromMPS(mps)
    t0 = time.perf_counter()
    code = prob.solve(solver)
    runtime = time.perf_counter() - t0
    status_name = pulp.LpStatus.get(code, "Undefined")
    x = np.zeros(model.n_cols)
    have = False
    for vname, var in variables.items():
        if var.varValue is not None and vname.startswith("C"):
            x[int(vname[1:])] = var.varValue
            have = True
    sol_status = getattr(prob, "sol_status", None)
    if status_name == "Optimal":
        status = Status.OPTIMAL
    elif status_name == "Infeasible":
        status, have = Status.INFEASIBLE, False
    elif status_name == "Unbounded":
        status, have = Status.UNBOUNDED, False
    elif have and sol_status == pulp.LpSolutionIntegerFeasible:
        status = Status.TIME_LIMIT
    else:
        status = Status.NO_SOLUTION if options.time_limit else Status.ERROR
    obj = float(model.c @ x) + model.offset if have else np.nan
    # PuLP does not report a bound: an optimal status means the gap is within the tolerance
    bound = obj if status is Status.OPTIMAL and options.gap == 0 else np.nan
    gap = float(options.gap) if status is Status.OPTIMAL else np.inf
    return SolverResult(status, x if have else None, obj, bound, gap, runtime, f"pulp:{match[0]}",
                        extra={"pulp_status": status_name})
