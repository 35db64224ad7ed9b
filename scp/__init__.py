"""scp: systematic conservation planning with exact integer programming.

Choose planning units that meet representation targets, area coverage (GBF Target 3,
"30x30") and connectivity goals at least cost, solved to a proven optimality gap.

Quick start::

    import scp
    data = scp.PlanningData.from_arrays(cost=[1, 2, 3], features={"a": [1, 0, 1]})
    sol = scp.Problem(data).min_set().relative_targets(0.5).solve()
    sol.evaluation.targets_met
"""

from . import boundary, contiguity, heuristic, resistance, spatial
from .data import FREE, LOCKED_IN, LOCKED_OUT, GridMapping, PlanningData
from .errors import (DataError, Infeasible, ScenarioError, ScpError, ScpWarning, SolverError,
                     SolverUnavailable)
from .evaluate import Evaluation, evaluate
from .model import Model
from .portfolio import Portfolio, portfolio, replacement_importance
from .problem import Problem
from .protconn import ProtConn, protconn
from .solution import Solution
from .solvers import SolveOptions, Status

__version__ = "0.1.0"

__all__ = [
    "boundary", "contiguity", "heuristic", "resistance", "spatial", "Portfolio", "ProtConn", "portfolio",
    "protconn", "replacement_importance", "FREE", "LOCKED_IN", "LOCKED_OUT", "DataError", "Evaluation", "GridMapping", "Infeasible", "Model",
    "PlanningData", "Problem", "ScenarioError", "ScpError", "ScpWarning", "Solution", "SolveOptions",
    "SolverError", "SolverUnavailable", "Status", "evaluate", "__version__",
]
