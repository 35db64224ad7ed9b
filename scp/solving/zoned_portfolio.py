"""Portfolios and replacement cost for plans with zones (see :mod:`scp.solving.portfolio` for the
plain problem).

Cuts portfolio: after allocation ``X*`` (one-hot ``x*_iz``) with objective ``z*``, the next one is
the best allocation that differs from every earlier one and stays within ``gap``::

    sum_{(i,z): x*_iz = 1} (1 - x_iz) + sum_{(i,z): x*_iz = 0} x_iz >= 1,     c . x + c_0 <= z* + gap |z*|

(moving a unit to another zone makes a different allocation). Replacement cost of a unit in a
zone: ``RC_i = z*(unit i in no zone) - z*`` (``inf`` when the plan cannot do without it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import Infeasible, ScenarioError, SolverError
from ..model.model import with_rows
from ..model.zoned import compile_zoned
from ..problem.zoned import ZonedProblem
from .portfolio import no_good_row
from .zoned import ZonedSolution, solve_zoned, solve_zoned_model


@dataclass
class ZonedPortfolio:
    """Distinct near-optimal allocations, best first."""

    solutions: list[ZonedSolution]
    gap: float
    optimum: float

    def frequency(self) -> np.ndarray:
        """units x zones: share of the solutions that put each unit in each zone."""
        z = self.solutions[0].problem.zones.n_zones
        counts = np.zeros((self.solutions[0].allocation.size, z))
        for s in self.solutions:
            chosen = s.allocation >= 0
            counts[np.flatnonzero(chosen), s.allocation[chosen]] += 1
        return counts / len(self.solutions)


def one_hot(allocation: np.ndarray, z: int) -> np.ndarray:
    """The zone-major decision vector ``x`` of an allocation."""
    x = np.zeros((z, allocation.size))
    x[allocation[allocation >= 0], np.flatnonzero(allocation >= 0)] = 1.0
    return x.ravel()


def zoned_portfolio(problem: ZonedProblem, n: int = 5, gap: float = 0.05, solver: str = "highs", *,
                    time_limit: float | None = None) -> ZonedPortfolio:
    """Up to ``n`` distinct allocations within ``gap`` of the optimum, best first (module docstring)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ScenarioError(f"{n!r} must be a whole number >= 1", "portfolio.n")
    if not 0 <= gap < 1:
        raise ScenarioError(f"{gap} is not in [0, 1) (0.05 means 5%)", "portfolio.gap")
    first = solve_zoned(problem, solver, gap=0.0, time_limit=time_limit)
    model = compile_zoned(problem)
    zstar = model.sense * first.extra["solver_objective"]
    bound = zstar + gap * abs(zstar) + 1e-9 * max(1.0, abs(zstar))
    model = with_rows(model, "portfolio:objective", sp.csr_matrix(model.c.reshape(1, -1)), -np.inf,
                      bound - model.offset)
    solutions = [first]
    z = problem.zones.n_zones
    while len(solutions) < n:
        row, rhs = no_good_row(one_hot(solutions[-1].allocation, z) > 0.5, model.n_cols)
        model = with_rows(model, f"portfolio:cut_{len(solutions)}", row, rhs, np.inf)
        try:
            solutions.append(solve_zoned_model(problem, model, solver, warm_start=False))
        except (Infeasible, SolverError):
            break  # no other allocation within the gap
    return ZonedPortfolio(solutions, gap, first.objective)


def zoned_replacement_importance(solution: ZonedSolution, units=None, *, solver: str = "highs",
                                 gap: float = 0.0) -> np.ndarray:
    """Replacement cost per unit in a zone (NaN for units in no zone; ``inf`` for locked units and
    units the plan cannot do without); larger is more important, for every objective."""
    problem = solution.problem
    n = problem.data.n_pu
    _, need_some = problem.allowed()
    chosen = solution.allocation >= 0
    units = np.flatnonzero(chosen & ~need_some) if units is None else np.asarray(units, dtype=np.int64)
    if units.size and not chosen[units].all():
        raise ScenarioError("replacement cost is defined for units in a zone only", "units")
    out = np.full(n, np.nan)
    out[chosen & need_some] = np.inf
    maximise = getattr(problem.objective, "maximise", False)
    for u in units:
        mask = np.zeros(n, dtype=bool)
        mask[u] = True
        try:
            v = solve_zoned(problem.locked_out(mask), solver, gap=gap).objective
        except (Infeasible, SolverError):
            v = -np.inf if maximise else np.inf
        out[u] = (solution.objective - v) if maximise else (v - solution.objective)
    return out
