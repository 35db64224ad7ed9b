"""Solution portfolios, selection frequency and replacement-cost importance.

Cuts portfolio
--------------
After the optimum ``x*`` with objective ``z*`` (minimisation form of the compiled model),
solution ``k + 1`` is the best selection that differs from every earlier one and stays within
``gap`` of the optimum::

    sum_{i in S_m} (1 - x_i) + sum_{i not in S_m} x_i >= 1     for every earlier selection S_m
    c . x + c_0 <= z* + gap |z*|

so the portfolio holds the ``n`` best distinct selections within the gap, in order (any MILP
solver: HiGHS, CBC...). Every selection is verified by :func:`scp.evaluate`.

Shuffle portfolio (prioritizr ``add_shuffle_portfolio``): the same model solved ``n`` times with
its planning-unit columns in random orders (the solver's choice among equally good selections
depends on the order), duplicates removed; each solution is within ``gap`` of the optimum.

Selection frequency: the share of portfolio solutions that select each unit.

Replacement cost (Cabeza & Moilanen 2006)
-----------------------------------------
For a selected unit ``i`` of a solution with objective ``z*``::

    RC_i = z*(x_i = 0) - z*          (in the problem's own sense: cost for minimum set)

``inf`` when nothing can replace it (the problem becomes infeasible without ``i``); 0 when
another selection of equal objective exists without it. Each re-solve is independent: they run
in parallel on a dask.distributed client when one is given (the same engine as sweeps).

References
----------
Cabeza & Moilanen (2006) Biological Conservation 132:336-342. Rodrigues et al. (2000)
Proc. R. Soc. B 267:1-6 (irreplaceability). Hanson et al. prioritizr (portfolios, importance).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from ..errors import Infeasible, ScenarioError
from ..model import compile_problem
from ..model.model import with_rows
from ..problem.constraints import status_masks
from ..results.importance import rescaled
from .backends import SolveOptions, solve_with
from .pipeline import solve, solve_model, verified


@dataclass
class Portfolio:
    """Distinct near-optimal solutions, best first."""

    solutions: list
    gap: float
    optimum: float

    @property
    def selections(self) -> np.ndarray:
        """``(k, n_pu)`` boolean matrix, one row per solution."""
        return np.array([s.selection for s in self.solutions], dtype=bool)

    def frequency(self) -> np.ndarray:
        """Share of the solutions that select each unit (0-1)."""
        return self.selections.mean(axis=0)


def no_good_row(selection: np.ndarray, n_cols: int) -> tuple[sp.csr_matrix, float]:
    """Row ``sum_{i not in S} x_i - sum_{i in S} x_i >= 1 - |S|`` excluding selection ``S``."""
    s = np.asarray(selection, dtype=bool)
    coef = np.where(s, -1.0, 1.0)
    row = sp.csr_matrix((coef, (np.zeros(s.size, dtype=np.int64), np.arange(s.size))), shape=(1, n_cols))
    return row, 1.0 - float(s.sum())


def portfolio(problem, n: int = 5, gap: float | None = 0.05, solver: str = "highs", *,
              time_limit: float | None = None, threads: int | None = None, log=None) -> Portfolio:
    """Up to ``n`` distinct solutions within ``gap`` of the optimum, best first (cuts portfolio;
    ``gap=None``: no bound, the ``n`` best distinct selections).

    Stops early when no further distinct selection lies within the gap.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ScenarioError(f"{n!r} must be a whole number >= 1", "portfolio.n")
    if gap is not None and not 0 <= gap < 1:
        raise ScenarioError(f"{gap} is not in [0, 1) (0.05 means 5%; None: no bound)", "portfolio.gap")
    if problem.decisions.continuous:
        raise ScenarioError("a cuts portfolio excludes 0/1 selections one by one; it needs binary decisions "
                            "(use shuffle_portfolio for shares)", "decisions")
    first = solve(problem, solver, gap=0.0, time_limit=time_limit, threads=threads)
    model = compile_problem(problem)
    if gap is not None:  # None: the n best distinct selections whatever their objective
        z = first.solver_objective * model.sense  # minimisation form of the model objective
        bound = z + gap * abs(z) + 1e-9 * max(1.0, abs(z))
        obj_row = sp.csr_matrix(model.c.reshape(1, -1))
        model = with_rows(model, "portfolio:objective", obj_row, -np.inf, bound - model.offset)
    solutions = [first]
    while len(solutions) < n:
        row, rhs = no_good_row(solutions[-1].selection, model.n_cols)
        model = with_rows(model, f"portfolio:cut_{len(solutions)}", row, rhs, np.inf)
        t0 = time.perf_counter()
        try:
            sol = solve_model(problem, model, solver, gap=0.0, time_limit=time_limit, threads=threads)
        except Infeasible:
            break  # no other selection within the gap
        if log is not None:
            print(f"  portfolio solution {len(solutions) + 1}: objective {sol.objective:,.6g} "
                  f"({time.perf_counter() - t0:.1f} s)", file=log, flush=True)
        solutions.append(sol)
    return Portfolio(solutions=solutions, gap=gap, optimum=first.objective)


def shuffle_portfolio(problem, n: int = 5, gap: float = 0.0, solver: str = "highs", *, seed: int = 0,
                      time_limit: float | None = None, threads: int | None = None) -> Portfolio:
    """Up to ``n`` distinct selections, each from a solve of the model with its unit columns in a
    random order (seeds ``seed, seed + 1, ...``), best first (module docstring)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ScenarioError(f"{n!r} must be a whole number >= 1", "portfolio.n")
    model = compile_problem(problem)
    n_pu, n_cols = model.n_pu, model.n_cols
    solutions, seen = [], set()
    for k in range(n):
        perm = np.random.default_rng(seed + k).permutation(n_pu)
        cols = np.concatenate([perm, np.arange(n_pu, n_cols)])  # new column q is old column cols[q]
        shuffled = replace(model, c=model.c[cols], A=model.A[:, cols].tocsr(), col_lower=model.col_lower[cols],
                           col_upper=model.col_upper[cols], integrality=model.integrality[cols], info={})
        res = solve_with(shuffled, solver, SolveOptions(gap=gap, time_limit=time_limit, threads=threads))
        if res.x is not None:
            x = np.empty_like(res.x)
            x[cols] = res.x
            res.x = x
        sol = verified(problem, model, res, time_limit, 0.0)
        key = sol.selection.tobytes()
        if key not in seen:
            seen.add(key)
            solutions.append(sol)
    solutions.sort(key=lambda s: -s.objective if getattr(problem.objective, "maximise", False) else s.objective)
    return Portfolio(solutions=solutions, gap=gap, optimum=solutions[0].objective)


def _resolve_without(problem, unit: int, solver: str, gap: float, time_limit: float | None,
                     threads: int | None) -> float:
    """Optimal objective with ``unit`` locked out (``inf``/``-inf`` when infeasible)."""
    mask = np.zeros(problem.data.n_pu, dtype=bool)
    mask[unit] = True
    try:
        return float(solve(problem.locked_out(mask), solver, gap=gap, time_limit=time_limit,
                                                    threads=threads).objective)
    except (Infeasible, ScenarioError):
        return float("-inf") if getattr(problem.objective, "maximise", False) else float("inf")


def replacement_importance(solution, units=None, *, solver: str = "highs", gap: float = 0.0,
                           time_limit: float | None = None, client=None, log=None, rescale: bool = False) -> np.ndarray:
    """Replacement cost of the selected units of ``solution`` (NaN for other units).

    Parameters
    ----------
    solution: a :class:`~scp.solution.Solution` (ideally optimal: RC is measured against it).
    units: PU positions to assess (default: every selected unit that is not locked in; locked-in
        units cannot be replaced and get ``inf``).
    gap: gap of the re-solves (0: exact replacement costs).
    client: a ``dask.distributed.Client`` to run the re-solves in parallel (default: one by one).
    rescale: map finite positive values onto [0.01, 1] (prioritizr's ``rescale = TRUE``; see
        :func:`scp.results.importance.rescaled`); off by default, so that the values stay in the
        objective's units.

    Returns
    -------
    numpy.ndarray
        ``RC_i`` per PU: ``z*(x_i = 0) - z*`` for minimisation objectives, ``z* - z*(x_i = 0)`` for
        maximum utility (so a larger value always means a more important unit).
    """
    problem = solution.problem
    n = problem.data.n_pu
    locked_in, _ = status_masks(problem.data, problem.constraints)
    if units is None:
        units = np.flatnonzero(solution.selection & ~locked_in)
    units = np.asarray(units, dtype=np.int64)
    if units.size and (units.min() < 0 or units.max() >= n):
        raise ScenarioError(f"unit positions must be in [0, {n})", "units")
    if units.size and not solution.selection[units].all():
        raise ScenarioError("replacement cost is defined for selected units only", "units")
    out = np.full(n, np.nan)
    out[solution.selection & locked_in] = np.inf
    threads = 1 if client is not None else None
    t0 = time.perf_counter()
    if client is not None:
        futures = client.map(_resolve_without, [problem] * units.size, units.tolist(), solver=solver, gap=gap,
                             time_limit=time_limit, threads=threads, pure=False)
        values = client.gather(futures)
    else:
        values = []
        for k, u in enumerate(units):
            values.append(_resolve_without(problem, int(u), solver, gap, time_limit, threads))
            if log is not None:
                print(f"\r  replacement cost {k + 1}/{units.size} ({time.perf_counter() - t0:.0f} s)",
                      end="", file=log or sys.stderr, flush=True)
        if log is not None and units.size:
            print(file=log)
    z = solution.objective
    v = np.asarray(values, dtype=np.float64)
    out[units] = (z - v) if getattr(problem.objective, "maximise", False) else (v - z)
    return rescaled(out) if rescale else out
