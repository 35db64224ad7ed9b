"""Solver backends over the canonical :class:`~scp.model.Model` (one function each, one result type).

Names: ``"highs"`` (default, highspy in-process), ``"scip"`` (pyscipopt, optional; rows added
inside its tree), ``"cbc"`` (PuLP's bundled CBC, fed an
MPS file written straight from the sparse model; ``"pulp"`` is the same), and
``"pulp:NAME"`` for any other solver PuLP drives (``"pulp:GUROBI_CMD"``, ``"pulp:HiGHS"``...).
"""

from __future__ import annotations

from ...errors import SolverUnavailable
from ...model.model import Model
from .base import SolveOptions, SolverResult, Status, relative_gap

SOLVERS = ("highs", "scip", "cbc", "pulp", "pulp:NAME")


def solve_with(model: Model, solver: str = "highs", options: SolveOptions | None = None) -> SolverResult:
    """Solve ``model`` with the named backend (see module docstring)."""
    options = options or SolveOptions()
    name = str(solver).strip()
    if name.lower() == "scip":
        from .scip import solve_scip

        return solve_scip(model, options)
    if options.lazy is not None:
        raise SolverUnavailable(f"solver {solver!r} cannot add rows inside its tree; use 'scip'")
    if name.lower() == "highs":
        from .highs import solve_highs

        return solve_highs(model, options)
    if name.lower() in ("cbc", "pulp") or name.lower().startswith("pulp:"):
        from .pulp_solver import solve_pulp

        return solve_pulp(model, options, name)
    raise SolverUnavailable(
        f"unknown solver {solver!r}; use 'highs' (default), 'scip', 'cbc', or 'pulp:NAME' for a solver PuLP drives "
        "(e.g. 'pulp:GUROBI_CMD')"
    )


__all__ = ["SOLVERS", "SolveOptions", "SolverResult", "Status", "relative_gap", "solve_with"]
