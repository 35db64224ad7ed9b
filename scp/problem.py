"""The declarative problem grammar.

A :class:`Problem` is immutable: every method returns a new problem with one more
component. Exactly one objective (minimum set by default); any number of targets,
constraints and penalties::

    p = (Problem(data)
         .min_set()
         .relative_targets(0.3)
         .relative_targets({"markhor": 0.6})
         .coverage(0.3, by="jurisdiction")
         .boundary_penalty(1.0))
    solution = p.solve(gap=0.0)

Components check their arguments when added and name what is wrong.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable, Mapping

import numpy as np

from .constraints import Budget, Coverage, Linear, Locked, pu_mask
from .data import PlanningData
from .errors import Infeasible, ScenarioError, SolverError, warn
from .evaluate import Evaluation, evaluate
from .model import Model
from .objectives import MaxUtility, MinSet, MinShortfall, _weights
from .penalties import BoundaryPenalty, ConnectivityPenalty
from .targets import TargetSpec, resolve_targets, target_specs


GUARDED_ROWS = 200_000
"""HiGHS solves of models with at least this many rows and a time limit run in a child process
that is stopped if HiGHS overruns its limit (see :func:`scp.solvers.highs.solve_highs_guarded`)."""


@dataclass(frozen=True, eq=False)
class Problem:
    """A conservation planning problem over :class:`~scp.data.PlanningData`."""

    data: PlanningData
    objective: object = MinSet()
    targets: tuple[TargetSpec, ...] = ()
    constraints: tuple = ()
    penalties: tuple = ()

    # ---------------------------------------------------------------- objectives
    def min_set(self) -> "Problem":
        """Minimise cost (plus penalties) subject to every target."""
        return replace(self, objective=MinSet())

    def max_utility(self, budget: float, weights: Mapping[str, float] | None = None) -> "Problem":
        """Maximise the weighted amount of features held within ``budget``."""
        obj = MaxUtility(budget, tuple((weights or {}).items()))
        _weights(self.data, dict(obj.weights), "objective.weights")
        return replace(self, objective=obj)

    def min_shortfall(self, budget: float, weights: Mapping[str, float] | None = None) -> "Problem":
        """Minimise the weighted relative target shortfall within ``budget``."""
        obj = MinShortfall(budget, tuple((weights or {}).items()))
        _weights(self.data, dict(obj.weights), "objective.weights")
        return replace(self, objective=obj)

    def objective_weights(self) -> np.ndarray:
        return _weights(self.data, dict(getattr(self.objective, "weights", ())), "objective.weights")

    # ------------------------------------------------------------------- targets
    def relative_targets(self, value: float | Mapping[str, float]) -> "Problem":
        """Targets as shares of each feature's total (a scalar for all, or ``{feature: share}``)."""
        return self._add_targets(target_specs("relative", value))

    def absolute_targets(self, value: float | Mapping[str, float]) -> "Problem":
        """Targets as amounts (a scalar for all, or ``{feature: amount}``)."""
        return self._add_targets(target_specs("absolute", value))

    def _add_targets(self, specs: tuple[TargetSpec, ...]) -> "Problem":
        new = replace(self, targets=self.targets + specs)
        new.resolved_targets()  # unknown feature names fail now, not at solve time
        return new

    def resolved_targets(self) -> np.ndarray:
        """Absolute target per feature (NaN where none applies)."""
        return resolve_targets(self.data, self.targets)

    # --------------------------------------------------------------- constraints
    def locked_in(self, units) -> "Problem":
        """Force units into the selection (boolean mask or list of PU ids)."""
        return self._add_lock(pu_mask(self.data, units, "locked_in"), 1)

    def locked_out(self, units) -> "Problem":
        """Keep units out of the selection (boolean mask or list of PU ids)."""
        return self._add_lock(pu_mask(self.data, units, "locked_out"), 0)

    def _add_lock(self, mask: np.ndarray, value: int) -> "Problem":
        new = replace(self, constraints=self.constraints + (Locked(mask, value),))
        from .constraints import status_masks

        li, lo = status_masks(self.data, new.constraints)
        both = li & lo
        if both.any():
            raise ScenarioError(
                f"{int(both.sum())} unit(s) would be both locked in and locked out "
                f"(PU ids {self.data.ids[both][:5].tolist()}); remove them from one of the two",
                "locked_in" if value == 1 else "locked_out")
        return new

    def budget(self, amount: float) -> "Problem":
        """Total cost of the selection may not exceed ``amount``."""
        return replace(self, constraints=self.constraints + (Budget(amount),))

    def coverage(self, fraction: float, by: str | list[str] | None = None) -> "Problem":
        """Protect at least ``fraction`` of the area: overall (``by=None``), in every
        jurisdiction (``by="jurisdiction"``) or in the listed jurisdictions."""
        c = Coverage(fraction, by)
        c.groups(self.data)  # validate labels now
        return replace(self, constraints=self.constraints + (c,))

    def linear_constraint(self, coefficients, sense: str, rhs: float, name: str = "linear") -> "Problem":
        """``coefficients @ x (sense) rhs`` with one coefficient per PU."""
        c = Linear(coefficients, sense, rhs, name)
        if c.coefficients.shape != (self.data.n_pu,):
            raise ScenarioError(f"{c.coefficients.shape[0]} coefficients for {self.data.n_pu} PUs",
                                f"constraints.{name}")
        return replace(self, constraints=self.constraints + (c,))

    def contiguity(self, mode: str = "selection") -> "Problem":
        """The selection must be one connected network (``mode="selection"``), or every part of
        it must be joined to a locked-in unit (``mode="locked_in"``); see :mod:`scp.contiguity`."""
        from .contiguity import Contiguity, adjacency

        c = Contiguity(mode)
        adjacency(self.data, 4, "contiguity")  # needs a boundary matrix: fail now
        return replace(self, constraints=self.constraints + (c,))

    def neighbours(self, k: int, directions: int = 4) -> "Problem":
        """Every selected unit must have at least ``k`` selected neighbours (``directions`` 4 or
        8; 8 needs grid data); see :class:`scp.contiguity.Neighbours`."""
        from .contiguity import Neighbours, adjacency

        c = Neighbours(k, directions)
        adjacency(self.data, directions, "neighbours")
        return replace(self, constraints=self.constraints + (c,))

    def corridor(self, source, sink, resistance=None, weight: float = 0.0, name: str = "corridor",
                 directions: int = 4) -> "Problem":
        """The selection must join area ``source`` to area ``sink`` (boolean masks or lists of PU
        ids) through neighbouring selected units; with ``weight > 0`` the least resistance of
        such a chain (``resistance`` per PU, default 1) is added to the objective. See
        :class:`scp.contiguity.Corridor`."""
        from .contiguity import Corridor, adjacency

        c = Corridor(pu_mask(self.data, source, f"corridors.{name}.from"),
                     pu_mask(self.data, sink, f"corridors.{name}.to"), resistance, weight, name, directions)
        adjacency(self.data, directions, f"corridors.{name}")
        return replace(self, constraints=self.constraints + (c,))

    # ----------------------------------------------------------------- penalties
    def boundary_penalty(self, penalty: float, edge_factor: float = 1.0) -> "Problem":
        """Add ``penalty`` x boundary length (exposed edges weighted by ``edge_factor``)."""
        p = BoundaryPenalty(penalty, edge_factor)
        if self.data.boundary is None:
            raise ScenarioError("the planning data have no boundary matrix; build the data from a grid "
                                "or give a boundary table", "boundary")
        return replace(self, penalties=self.penalties + (p,))

    def connectivity_penalty(self, penalty: float, matrix: str | None = None,
                             asymmetric: bool = False) -> "Problem":
        """Add ``penalty`` x connectivity lost between selected and unselected units."""
        p = ConnectivityPenalty(penalty, matrix, asymmetric)
        p.resolve(self.data)
        return replace(self, penalties=self.penalties + (p,))

    # ------------------------------------------------------------------- compile
    def compile(self, formulation: str = "pairs") -> Model:
        """The canonical sparse MILP of this problem (see :mod:`scp.compile`); ``formulation``
        linearises penalty pairs: ``"pairs"`` (default) or ``"compact"`` (per unit)."""
        from .compile import compile_problem

        if self.objective.uses_targets and not self.targets and self.objective.name == "min_set":
            raise ScenarioError("a minimum-set problem needs targets; add relative_targets(...) or "
                                "absolute_targets(...)", "targets")
        if not self.objective.uses_targets and self.targets:
            raise ScenarioError(f"the {self.objective.name} objective does not use targets; remove them",
                                "targets")
        return compile_problem(self, formulation)

    def evaluate(self, selection) -> Evaluation:
        """Evaluate a selection against this problem (see :func:`scp.evaluate`)."""
        return evaluate(self, selection)

    def check(self) -> list[str]:
        """Domain-worded reasons why this problem is infeasible (empty when none is found)."""
        from .presolve import infeasibility_reasons

        return infeasibility_reasons(self)

    def solve(self, solver: str = "highs", *, gap: float = 0.0, time_limit: float | None = None,
              threads: int | None = None, verbose: bool = False,
              progress: Callable[[float, float, float, float], None] | None = None,
              warm_start=None, formulation: str = "pairs"):
        """Compile, check, solve and verify.

        Parameters
        ----------
        solver: ``"highs"`` (default), ``"cbc"``, or ``"pulp:NAME"``.
        gap: relative optimality gap (default 0: solve to proven optimality).
        time_limit: seconds; a solve that hits it returns its incumbent (status ``TIME_LIMIT``).
        threads, verbose, progress: see :class:`~scp.solvers.base.SolveOptions`.
        warm_start: a 0/1 selection offered to the solver as a first solution (HiGHS), or
            ``"heuristic"``: solve the LP relaxation, build a selection with the heuristic of
            :mod:`scp.heuristic`, and stop there when the LP bound proves it within ``gap``;
            otherwise it warm-starts the solver (minimum-set problems with targets, coverage and
            locks; other problems are solved as without it).
        formulation: linearisation of penalty pairs, ``"pairs"`` or ``"compact"`` (:mod:`scp.compile`).

        Returns
        -------
        Solution
            Verified by :func:`scp.evaluate`.

        Raises
        ------
        Infeasible
            With domain-worded reasons, before solving when a presolve check fails.
        SolverError
            When the solver fails, or returns a selection that violates a constraint.
        """
        from .presolve import coefficient_warnings, infeasibility_reasons

        try:
            gap = float(gap)
        except (TypeError, ValueError):
            raise ScenarioError(f"{gap!r} is not a number", "solver.gap") from None
        if not 0 <= gap < 1:
            raise ScenarioError(f"{gap} is not in [0, 1) (0.01 means 1%)", "solver.gap")
        if time_limit is not None and not float(time_limit) > 0:
            raise ScenarioError(f"{time_limit} must be > 0 seconds", "solver.time_limit")
        reasons = infeasibility_reasons(self)
        if reasons:
            raise Infeasible("the problem is infeasible:", reasons)
        t0 = time.perf_counter()
        model = self.compile(formulation)
        compile_time = time.perf_counter() - t0
        for w in coefficient_warnings(model):
            warn(w)
        return self.solve_compiled(model, solver, gap=gap, time_limit=time_limit, threads=threads,
                                   verbose=verbose, progress=progress, warm_start=warm_start,
                                   compile_time=compile_time)

    def solve_compiled(self, model: Model, solver: str = "highs", *, gap: float = 0.0,
                       time_limit: float | None = None, threads: int | None = None, verbose: bool = False,
                       progress=None, warm_start=None, compile_time: float = 0.0):
        """Solve a model compiled from this problem (possibly with rows added, e.g. the cuts of a
        portfolio) and verify the selection against this problem; see :meth:`solve`."""
        from .solution import Solution
        from .solvers import SolveOptions, Status, solve_model

        from .solvers import SolverResult

        res = None
        start = None
        extra: dict = {}
        if isinstance(warm_start, str):
            if warm_start != "heuristic":
                raise ScenarioError(f"{warm_start!r}: give a selection or 'heuristic'", "solver.warm_start")
            from .heuristic import lp_guided_start

            t0 = time.perf_counter()
            start = lp_guided_start(self, model, time_limit, threads)
            used = time.perf_counter() - t0
            extra = {"lp_s": start.lp_seconds, "heuristic_s": start.heuristic_seconds,
                     "heuristic_objective": start.objective, "lp_bound": start.lp_bound}
            warm_start = start.selection
            if start.selection is not None and start.gap <= gap:
                # the LP bound already proves the heuristic selection within the gap
                from .heuristic import full_start

                res = SolverResult(Status.OPTIMAL, full_start(model, start.selection), start.objective,
                                   start.lp_bound, start.gap, used, "highs LP bound + heuristic",
                                   extra=dict(extra))
            elif time_limit is not None:
                time_limit = max(1.0, float(time_limit) - used)
        if res is None:
            ws = None
            if warm_start is not None:
                from .heuristic import full_start

                sel = np.zeros(model.n_pu)
                sel[:] = np.asarray(warm_start, dtype=np.float64)
                ws = full_start(model, sel)
            opts = SolveOptions(gap=gap, time_limit=time_limit, threads=threads, verbose=verbose,
                                progress=progress, warm_start=ws)
            if solver == "highs" and time_limit is not None and model.n_rows >= GUARDED_ROWS:
                from .solvers.highs import solve_highs_guarded

                res = solve_highs_guarded(model, opts)
            else:
                res = solve_model(model, solver, opts)
            res.extra.update(extra)
            if res.x is not None and start is not None and np.isfinite(start.lp_bound) and not \
                    (np.isfinite(res.bound) and res.bound >= start.lp_bound):
                # the LP bound is valid for the whole solve; keep the better of the two
                from .solvers import relative_gap

                res.bound = start.lp_bound
                res.gap = relative_gap(res.objective, res.bound)
            if res.x is None and start is not None and start.selection is not None:
                # the solver gave nothing back in time: keep the heuristic selection and its LP bound
                from .heuristic import full_start

                res = SolverResult(Status.TIME_LIMIT, full_start(model, start.selection), start.objective,
                                   start.lp_bound, start.gap, res.runtime, "highs LP bound + heuristic",
                                   log=res.log, extra=dict(extra, solver_log=res.log))
        if res.status is Status.INFEASIBLE:
            raise Infeasible(
                "the solver proved the problem infeasible; no single check fails on its own, so the "
                "constraints conflict together (targets, budget, coverage and locked units).",
                ["relax a target or the budget, or use min_shortfall(budget) to see how close you can get"])
        if res.status is Status.UNBOUNDED:
            raise SolverError("the solver reports the problem unbounded; check for negative costs or penalties")
        if res.status is Status.NO_SOLUTION:
            raise SolverError(f"{res.solver} stopped (time limit {time_limit} s) before finding any solution; "
                              "raise the time limit or relax the gap")
        if res.status is Status.ERROR or res.x is None:
            raise SolverError(f"{res.solver} failed: {res.extra} {res.log[-1000:]}")
        selection = res.x[: model.n_pu] > 0.5
        ev = evaluate(self, selection)
        if ev.violations:
            raise SolverError(f"{res.solver} returned a selection that fails verification: "
                              + "; ".join(ev.violations[:5]))
        sense = model.sense
        return Solution(
            problem=self, selection=selection, status=res.status, objective=ev.objective,
            solver_objective=sense * res.objective, bound=sense * res.bound, gap=res.gap,
            runtime=res.runtime, build_time=res.build_time, compile_time=compile_time,
            solver=res.solver, evaluation=ev, model_digest=model.digest(), log=res.log, extra=res.extra,
        )
