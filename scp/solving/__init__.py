"""Stage 5, solving: the solve pipeline :func:`solve` (presolve checks, compile, LP-guided
heuristic, exact solver, bound bookkeeping, verification), portfolios and replacement
importance, and the solver backends (HiGHS, CBC and every PuLP solver through MPS).

(The stage is named ``solving`` so that ``scp.solve`` stays the verb.)

May import: :mod:`scp.results`, :mod:`scp.model`, :mod:`scp.problem`, :mod:`scp.data`,
:mod:`scp.errors`.
"""

from .pipeline import solve, solve_model
from .portfolio import Portfolio, portfolio, replacement_importance, shuffle_portfolio

__all__ = ["Portfolio", "portfolio", "replacement_importance", "shuffle_portfolio", "solve", "solve_model"]
