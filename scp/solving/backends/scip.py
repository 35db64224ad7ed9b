"""SCIP backend (pyscipopt, in-process, optional: ``pip install 'scp[scip]'``), with rows added
inside its branch-and-cut tree.

The model reaches SCIP as an MPS file written straight from the sparse matrix
(:func:`scp.solving.backends.mps.write_mps`); a warm start as a SCIP solution file written in one
array operation. No per-column Python objects are built for the model.

Lazy rows
---------
``options.lazy`` (a :class:`LazyRows`) describes a family of rows too large to write down (e.g.
the vertex-separator cuts of contiguity, :mod:`scp.model.cuts`). A constraint handler asks it

* for every candidate solution SCIP checks or enforces (integer in the integer columns): the
  rows that point violates (``integer(x)``); none means feasible. Violated rows are added as
  constraints of the model, so no solution that violates the family is ever accepted;
* for every LP point of the tree (separation, ``fractional(x)``): violated rows added as
  removable constraints, which strengthens the bound at every node, not only at the root.

The handler locks every column of ``lazy.columns`` in both directions (the family may need any
of them up or down), so SCIP's presolve does not fix them by dual arguments. pyscipopt adds a
constraint term by term: the cost of a callback grows with the nonzeros of the rows it adds.

Reference: Achterberg (2009) SCIP: solving constraint integer programs, Mathematical
Programming Computation 1:1-41 (constraint handlers: check, enforce, separate, lock).
"""

from __future__ import annotations

import os
import tempfile
import time
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from ...errors import SolverUnavailable
from ...model.model import Model
from .base import SolveOptions, SolverResult, Status, relative_gap
from .interrupt import STOP, inside_callback, raise_if_stopped
from .mps import name_width, write_mps


class LazyRows(Protocol):
    """Rows ``A x <= rhs`` generated on demand (see module docstring)."""

    columns: np.ndarray
    """Columns the rows may hold (locked both ways)."""

    def integer(self, x: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
        """Rows violated by ``x`` (integer in the integer columns); none: ``x`` is feasible."""

    def fractional(self, x: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
        """Rows violated by the LP point ``x`` (may be none even when some exist)."""


def _pyscipopt():
    try:
        import pyscipopt
    except ImportError as exc:
        raise SolverUnavailable("the 'scip' solver needs pyscipopt: pip install 'scp[scip]' "
                                "(or pip install pyscipopt)") from exc
    return pyscipopt


def solve_scip(model: Model, options: SolveOptions) -> SolverResult:
    """Solve ``model`` with SCIP: ``limits/gap`` from ``options.gap``, ``limits/time`` from
    ``options.time_limit`` and ``options.deadline_at`` (the earlier; the deadline is also
    watched after every node and LP solve, as is a stop request, which raises
    :class:`~scp.solving.backends.interrupt.Interrupted` after SCIP returns), the warm start as a
    first solution, ``options.lazy`` through a constraint handler (module docstring). SCIP runs
    on one thread (``options.threads`` is not used)."""
    ps = _pyscipopt()
    t0 = time.perf_counter()
    m = ps.Model()
    m.hideOutput(not options.verbose)
    width = name_width(model.n_cols)
    with tempfile.TemporaryDirectory(prefix="scp-scip-") as tmp:
        path = os.path.join(tmp, "model.mps")
        with open(path, "wb") as f:
            write_mps(model, f)
        m.readProblem(path)
        cols = _columns(m, model.n_cols)
        if model.offset:
            m.addObjoffset(float(model.offset))
        m.setParam("limits/gap", float(options.gap))
        m.setParam("randomization/randomseedshift", 0)
        limit = _time_left(options)
        if limit is not None:
            m.setParam("limits/time", max(0.1, limit - (time.perf_counter() - t0)))
        if options.lazy is not None:
            handler = _make_handler_class()(options.lazy, cols)
            m.includeConshdlr(handler, "scp_lazy", "rows added inside the tree", sepapriority=1,
                              enfopriority=-1, chckpriority=-1, sepafreq=1, propfreq=-1, eagerfreq=-1,
                              needscons=True)
            m.addPyCons(m.createCons(handler, "scp_lazy", separate=True, enforce=True, check=True,
                                     propagate=False))
        m.setParam("misc/catchctrlc", False)  # signals reach scp's handler, which sets STOP
        _watch(m, options.progress, options.deadline_at)
        if options.warm_start is not None:
            spath = os.path.join(tmp, "start.sol")
            _write_solution(spath, np.asarray(options.warm_start, dtype=np.float64), width)
            start = m.readSolFile(spath)
            m.addSol(start, free=True)
    build_time = time.perf_counter() - t0
    t1 = time.perf_counter()
    m.optimize()
    raise_if_stopped()
    runtime = time.perf_counter() - t1
    name = m.getStatus()
    has_sol = m.getNSols() > 0
    x = np.asarray(m.getSolVal(m.getBestSol(), cols), dtype=np.float64) if has_sol else None
    obj = float(m.getObjVal()) if has_sol else np.nan
    bound = float(m.getDualbound())
    if name in ("optimal", "gaplimit"):
        st = Status.OPTIMAL
    elif name == "infeasible":
        st = Status.INFEASIBLE
    elif name in ("unbounded", "inforunbd"):
        st = Status.UNBOUNDED if name == "unbounded" else Status.INFEASIBLE
    elif name in ("timelimit", "userinterrupt", "nodelimit", "memlimit", "stallnodelimit", "sollimit"):
        st = Status.TIME_LIMIT if has_sol else Status.NO_SOLUTION
    else:
        st = Status.ERROR
    if not np.isfinite(bound) or abs(bound) >= 1e19:
        bound = -np.inf
    gap = relative_gap(obj, bound) if has_sol and np.isfinite(bound) else np.inf
    return SolverResult(st, x, obj, bound, gap, runtime, "scip", log=f"SCIP status: {name}", build_time=build_time,
                        extra={"model_status": name, "nodes": int(m.getNNodes())})


def _time_left(options: SolveOptions) -> float | None:
    limits = [t for t in (options.time_limit,
                          None if options.deadline_at is None else options.deadline_at - time.perf_counter())
              if t is not None]
    return min(limits) if limits else None


def _columns(m, n_cols: int):
    """The model's columns in column order, as one pyscipopt matrix expression."""
    ps = _pyscipopt()
    found = m.getVars()
    index = np.array([int(v.name[1:]) for v in found])
    ordered = np.empty(n_cols, dtype=object)
    ordered[index] = found
    return ordered.view(ps.MatrixExpr)


def _write_solution(path: str, x: np.ndarray, width: int) -> None:
    """A SCIP solution file: one ``name value`` line per nonzero column."""
    nz = np.flatnonzero(x)
    lines = [f"C{j:0{width}d} {v!r}" for j, v in zip(nz.tolist(), x[nz].tolist())]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def _watch(m, progress, deadline_at: float | None) -> None:
    """After solved nodes, LP solves and new incumbents: stop SCIP when :data:`STOP` is set (a
    signal arrived) or ``deadline_at`` has passed, and call ``progress(elapsed, incumbent,
    bound, gap)`` (when given) at most once a second."""
    ps = _pyscipopt()
    E = ps.SCIP_EVENTTYPE
    KINDS = (E.NODESOLVED, E.BESTSOLFOUND, E.LPSOLVED)  # LP solves: a long root node reports too

    class Watch(ps.Eventhdlr):
        last = -1.0

        def eventinit(self):
            for kind in KINDS:
                self.model.catchEvent(kind, self)

        def eventexit(self):
            for kind in KINDS:
                self.model.dropEvent(kind, self)

        def eventexec(self, event):
            with inside_callback():
                if STOP.is_set() or (deadline_at is not None and time.perf_counter() >= deadline_at):
                    self.model.interruptSolve()
                    return {}
                t = float(self.model.getSolvingTime())
                if progress is None or t - self.last < 1.0:
                    return {}
                self.last = t
                has = self.model.getNSols() > 0
                inc = float(self.model.getPrimalbound()) if has else float("inf")
                bound = float(self.model.getDualbound())
                progress(t, inc, bound, relative_gap(inc, bound) if has else float("inf"))
            return {}

    m.includeEventhdlr(Watch(), "scp_watch", "stop requests, deadline and progress rows for scp")


def _make_handler_class():
    ps = _pyscipopt()
    R = ps.SCIP_RESULT

    class Handler(ps.Conshdlr):
        def __init__(self, lazy: LazyRows, cols) -> None:
            super().__init__()
            self.lazy, self.cols, self.added = lazy, cols, 0
            self.locked = [cols[j] for j in np.asarray(lazy.columns).tolist()]

        def _values(self, sol) -> np.ndarray:
            return np.asarray(self.model.getSolVal(sol, self.cols), dtype=np.float64)

        def _add(self, rows: sp.csr_matrix, rhs: np.ndarray, removable: bool) -> None:
            rows = sp.csr_matrix(rows)
            for k in range(rows.shape[0]):
                lo, hi = rows.indptr[k], rows.indptr[k + 1]
                terms = ps.quicksum(float(a) * self.cols[j] for j, a in zip(rows.indices[lo:hi].tolist(),
                                                                           rows.data[lo:hi].tolist()))
                self.model.addCons(terms <= float(rhs[k]), name=f"lazy{self.added}", removable=removable)
                self.added += 1

        def conscheck(self, constraints, solution, checkintegrality, checklprows, printreason, completely,
                      **kwargs):
            rows, _ = self.lazy.integer(self._values(solution))
            return {"result": R.INFEASIBLE if rows.shape[0] else R.FEASIBLE}

        def _enforce(self):
            rows, rhs = self.lazy.integer(self._values(None))
            if not rows.shape[0]:
                return {"result": R.FEASIBLE}
            self._add(rows, rhs, removable=False)
            return {"result": R.CONSADDED}

        def consenfolp(self, constraints, nusefulconss, solinfeasible):
            return self._enforce()

        def consenfops(self, constraints, nusefulconss, solinfeasible, objinfeasible):
            return self._enforce()

        def conssepalp(self, constraints, nusefulconss):
            rows, rhs = self.lazy.fractional(self._values(None))
            if not rows.shape[0]:
                return {"result": R.DIDNOTFIND}
            self._add(rows, rhs, removable=True)
            return {"result": R.CONSADDED}

        def conslock(self, constraint, locktype, nlockspos, nlocksneg):
            both = nlockspos + nlocksneg
            for v in self.locked:
                self.model.addVarLocksType(v, locktype, both, both)

    return Handler
