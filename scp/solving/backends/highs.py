"""HiGHS backend (highspy, in-process): the default solver.

The compiled CSR matrix is passed to HiGHS as one row-wise sparse model in a single
call; no per-variable Python objects are created.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import time

import numpy as np

from ...errors import SolverUnavailable
from ...model.dual_bound import best_dual_bound
from ...model.model import Model
from .interrupt import STOP, inside_callback, raise_if_stopped
from .base import SolveOptions, SolverResult, Status, relative_gap

_BANNER_SHOWN = False


@contextlib.contextmanager
def _silence_stdout(active: bool):
    """Redirect the C-level stdout to /dev/null (HiGHS prints a banner on first use)."""
    if not active:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _new_highs(verbose: bool):
    global _BANNER_SHOWN
    try:
        import highspy
    except ImportError as exc:  # pragma: no cover - highspy is a core dependency
        raise SolverUnavailable("the 'highs' solver needs the highspy package: pip install highspy") from exc
    with _silence_stdout(not verbose and not _BANNER_SHOWN):
        h = highspy.Highs()
    _BANNER_SHOWN = True
    return highspy, h


def solve_highs(model: Model, options: SolveOptions, on_incumbent=None) -> SolverResult:
    """Solve ``model`` with HiGHS.

    Sets ``mip_rel_gap`` to ``options.gap`` (default 0: prove optimality), ``time_limit``,
    ``threads`` and ``output_flag``; reports objective, best bound and gap. A run stopped
    by the time limit returns its incumbent with status ``TIME_LIMIT``.
    """
    t0 = time.perf_counter()
    highspy, h = _new_highs(options.verbose)
    h.setOptionValue("output_flag", bool(options.verbose))
    h.setOptionValue("mip_rel_gap", float(options.gap))
    h.setOptionValue("random_seed", 0)
    if options.time_limit is not None:
        h.setOptionValue("time_limit", float(options.time_limit))
    if options.threads is not None:
        h.setOptionValue("threads", int(options.threads))
    status = _pass_model(h, highspy, model, integer=True)
    if status == highspy.HighsStatus.kError:
        return SolverResult(Status.ERROR, None, np.nan, np.nan, np.inf, 0.0, "highs",
                            log="HiGHS rejected the model (passModel returned an error)")
    if options.warm_start is not None:
        ws = np.asarray(options.warm_start, dtype=np.float64)
        h.setSolution(ws.size, np.arange(ws.size, dtype=np.int32), ws)
    log_lines: list[str] = []
    _attach_callbacks(h, highspy, options.progress, options.deadline_at, on_incumbent, options.stop_on_solution)
    build_time = time.perf_counter() - t0
    t1 = time.perf_counter()
    h.run()
    raise_if_stopped()
    runtime = time.perf_counter() - t1
    ms = h.getModelStatus()
    info = h.getInfo()
    M = highspy.HighsModelStatus
    has_sol = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value, dtype=np.float64) if has_sol else None
    obj = float(info.objective_function_value) if has_sol else np.nan
    bound = float(info.mip_dual_bound)
    if ms == M.kOptimal:
        st = Status.OPTIMAL
    elif ms == M.kInfeasible:
        st = Status.INFEASIBLE
    elif ms in (M.kUnbounded, M.kUnboundedOrInfeasible):
        st = Status.UNBOUNDED if ms == M.kUnbounded else Status.INFEASIBLE
    elif ms in (M.kTimeLimit, M.kIterationLimit, M.kInterrupt, M.kSolutionLimit, M.kHighsInterrupt):
        st = Status.TIME_LIMIT if has_sol else Status.NO_SOLUTION
    else:
        st = Status.ERROR
        log_lines.append(f"HiGHS model status: {h.modelStatusToString(ms)}")
    if st is Status.OPTIMAL and (not np.isfinite(bound) or not model.integrality.any()):
        bound = obj  # a linear programme solved to optimality (no branch and bound): its own bound
    gap = relative_gap(obj, bound) if has_sol else np.inf
    return SolverResult(st, x, obj, bound, gap, runtime, "highs", log="\n".join(log_lines),
                        build_time=build_time, extra={"model_status": h.modelStatusToString(ms),
                                                      "nodes": int(info.mip_node_count)})


def _guarded_child(model: Model, options: SolveOptions, queue) -> None:
    """Run HiGHS and report to the parent: progress rows, every improving solution, the result."""
    def progress(*row):
        queue.put(("progress", row))

    def incumbent(x, objective):
        queue.put(("incumbent", (np.asarray(x, dtype=np.float64), float(objective))))

    opts = dataclasses.replace(options, progress=progress)
    queue.put(("result", solve_highs(model, opts, on_incumbent=incumbent)))


@contextlib.contextmanager
def _main_not_imported():
    """Start a spawned child without importing the caller's ``__main__`` in it: the child needs
    only scp, and a user's script without a ``__main__`` guard (or code read from stdin) must not
    run again there."""
    main = sys.modules.get("__main__")
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if main is not None and k in main.__dict__}
    try:
        if main is not None:
            main.__dict__.pop("__file__", None)
            main.__spec__ = None
        yield
    finally:
        if main is not None:
            main.__dict__.pop("__spec__", None)
            main.__dict__.update(saved)


def solve_highs_guarded(model: Model, options: SolveOptions, grace: float | None = None) -> SolverResult:
    """:func:`solve_highs` in a child process, stopped at the deadline whatever HiGHS is doing.

    HiGHS 1.16 does not look at its clock (nor call back) in parts of its setup and root node:
    on penalised models it has run three times past a 20 s limit. The child sends its progress
    rows and every improving solution as it finds them, so when it has to be stopped (``grace``
    seconds after ``options.deadline_at``, or after its time limit; default 0.5 s) the best
    incumbent and the last dual bound it reported are kept (status ``TIME_LIMIT``), or
    ``NO_SOLUTION`` when it had none (the caller may fall back to a heuristic selection).
    """
    import multiprocessing as mp
    import queue as queue_mod

    t0 = time.perf_counter()
    if options.time_limit is None and options.deadline_at is None:
        return solve_highs(model, options)
    stop_at = options.deadline_at if options.deadline_at is not None else t0 + float(options.time_limit)
    hard = stop_at + (0.5 if grace is None else float(grace))
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    proc = ctx.Process(target=_guarded_child, args=(model, dataclasses.replace(options, progress=None), q),
                       daemon=True)
    with _main_not_imported():
        proc.start()
    best: tuple[np.ndarray, float] | None = None
    bound = -np.inf
    try:
        while True:
            left = hard - time.perf_counter()
            if left <= 0:
                break
            try:
                kind, payload = q.get(timeout=min(left, 0.25))
            except queue_mod.Empty:
                if not proc.is_alive() and q.empty():
                    break
                continue
            if kind == "result":
                proc.join()
                return payload
            if kind == "incumbent" and (best is None or payload[1] < best[1]):
                best = payload
            elif kind == "progress":
                bound = max(bound, float(payload[2])) if np.isfinite(payload[2]) and abs(payload[2]) < 1e300 else bound
                if options.progress is not None:
                    options.progress(*payload)
    finally:
        if proc.is_alive():  # the deadline passed, or the run was interrupted: stop the child
            proc.kill()
        proc.join()
    runtime = time.perf_counter() - t0
    why = (f"HiGHS was stopped at the deadline ({runtime:.1f} s; it does not check its clock in parts of "
           "its setup)")
    if best is None:
        return SolverResult(Status.NO_SOLUTION, None, np.nan, np.nan, np.inf, runtime, "highs", log=why,
                            extra={"stopped": True})
    x, obj = best
    b = bound if np.isfinite(bound) else -np.inf  # no bound reported yet: only the trivial one
    return SolverResult(Status.TIME_LIMIT, x, obj, b, relative_gap(obj, b) if np.isfinite(b) else np.inf, runtime,
                        "highs", log=why, extra={"stopped": True})


def lp_relaxation(model: Model, time_limit: float | None = None, threads: int | None = None):
    """Solve the LP relaxation of ``model`` with HiGHS's interior-point method (no crossover).

    Returns ``(x, bound)``: the LP solution (``None`` unless the LP solved to optimality) and a
    valid lower bound on the MILP optimum (minimisation form, offset included) from the row duals
    (:func:`scp.model.dual_bound.best_dual_bound`), available even when the interior-point method
    stopped early; ``nan`` when HiGHS gave no duals.
    """
    highspy, h = _new_highs(False)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", "ipm")
    h.setOptionValue("run_crossover", "off")
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    _pass_model(h, highspy, model, integer=False)
    _attach_callbacks(h, highspy, None)
    h.run()
    raise_if_stopped()
    return _lp_answer(h, highspy, model)


def _pass_model(h, highspy, model: Model, integer: bool):
    """Hand ``model`` to HiGHS as one row-wise sparse matrix (its integrality only with
    ``integer``); returns HiGHS's status."""
    A = model.A
    inf = highspy.kHighsInf
    return h.passModel(model.n_cols, model.n_rows, int(A.nnz), int(highspy.MatrixFormat.kRowwise), 1,
                       float(model.offset), model.c, model.col_lower, model.col_upper,
                       np.where(np.isfinite(model.row_lower), model.row_lower, -inf),
                       np.where(np.isfinite(model.row_upper), model.row_upper, inf),
                       A.indptr.astype(np.int32), A.indices.astype(np.int32), A.data,
                       (model.integrality if integer else np.zeros(model.n_cols)).astype(np.int32))


def _lp_answer(h, highspy, model: Model) -> tuple[np.ndarray | None, float]:
    """``(x, bound)`` after HiGHS ran the LP relaxation of ``model`` (the rows HiGHS holds):
    the solution (None unless optimal) and the Lagrangian bound of whatever row duals HiGHS
    returned (valid for any duals, so also after an early stop); without duals, the optimal
    objective less the solver's tolerance, or ``nan``."""
    sol = h.getSolution()
    bound = float("nan")
    if sol.dual_valid or len(sol.row_dual) == model.n_rows:
        bound = best_dual_bound(model, np.asarray(sol.row_dual, dtype=np.float64))
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None, bound
    lp = float(h.getInfo().objective_function_value)
    if not np.isfinite(bound):
        bound = lp - 1e-6 * max(1.0, abs(lp))  # the solver's tolerance
    return np.asarray(sol.col_value, dtype=np.float64), bound


def _attach_callbacks(h, highspy, progress, deadline_at: float | None = None, on_incumbent=None,
                      stop_on_solution=None) -> None:
    """Stop HiGHS when :data:`~scp.solving.backends.interrupt.STOP` is set (MIP, simplex and
    interior-point callbacks) or ``deadline_at`` has passed, and call
    ``progress(elapsed, incumbent, bound, gap)`` at most once a second during the MIP, and
    ``on_incumbent(x, objective)`` for every improving solution; stop once
    ``stop_on_solution(x)`` returns True for one."""
    last = [-1.0]
    stop = [False]
    cb = highspy.cb.HighsCallbackType
    mip = cb.kCallbackMipInterrupt
    improving = cb.kCallbackMipImprovingSolution

    def callback(kind, message, out, data_in, user):
        if kind == improving:
            x = np.asarray(out.mip_solution, dtype=np.float64)
            if on_incumbent is not None:
                on_incumbent(x, float(out.objective_function_value))
            if stop_on_solution is not None and stop_on_solution(x):
                stop[0] = True
            return
        with inside_callback():
            if stop[0] or STOP.is_set() or (deadline_at is not None and time.perf_counter() >= deadline_at):
                data_in.user_interrupt = True
                return
            if progress is not None and kind == mip:
                t = float(out.running_time)
                if t - last[0] >= 1.0:
                    last[0] = t
                    progress(t, float(out.mip_primal_bound), float(out.mip_dual_bound), float(out.mip_gap))

    h.setCallback(callback, None)
    for kind in (mip, cb.kCallbackSimplexInterrupt, cb.kCallbackIpmInterrupt):
        h.startCallback(kind)
    if on_incumbent is not None or stop_on_solution is not None:
        h.startCallback(improving)
