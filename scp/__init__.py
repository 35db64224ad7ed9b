"""scp: systematic conservation planning with exact integer programming.

Choose planning units that meet representation targets, area coverage (GBF Target 3,
"30x30") and connectivity goals at least cost, solved to a proven optimality gap.

Quick start::

    import scp
    data = scp.PlanningData.from_arrays(cost=[1, 2, 3], features={"a": [1, 0, 1]})
    problem = scp.Problem(data).min_set().relative_targets(0.5)
    solution = scp.solve(problem)
    solution.evaluation.targets_met

The package is laid out along the data flow; each stage imports only the stages before it::

    data -> problem -> model -> results -> solving -> app

``scp.data`` (planning units, boundaries, adjacency, resistance, readers), ``scp.problem`` (the
grammar), ``scp.model`` (compilation to a sparse MILP, presolve checks), ``scp.results``
(evaluation from the selection itself, Solution, ProtConn), ``scp.solving`` (the pipeline,
heuristics, portfolios, solver backends) and ``scp.app`` (scenarios, CLI, sweeps, reports).
"""

from .data import FREE, LOCKED_IN, LOCKED_OUT, GridMapping, PlanningData, boundary, resistance, spatial
from .data.io.marxan import MarxanProject, read_marxan
from .data.io.vector import from_geodataframe
from .errors import (DataError, Infeasible, ScenarioError, ScpError, ScpWarning, SolverError,
                     SolverUnavailable)
from .model import Model, compile_problem, infeasibility_reasons
from .problem import Problem, graph
from .problem.marxan import marxan_problem
from .results import Evaluation, ProtConn, Solution, Status, evaluate, protconn
from .results.ferrier import ferrier_importance
from .results.importance import rarity_weighted_richness
from .data.io.marzone import read_marzone
from .problem.marzone import marzone_problem
from .results.marzone import marzone_score
from .solving import Portfolio, portfolio, replacement_importance, shuffle_portfolio, solve, solve_model
from .solving import heuristic
from .solving.backends import SolveOptions
from .data.zones import Zones
from .problem.zoned import ZonedProblem
from .results.zoned import evaluate_zoned
from .solving.zoned import ZonedSolution, solve_zoned
from .solving.zoned_portfolio import zoned_portfolio, zoned_replacement_importance
from .solving.rank_importance import rank_importance

from ._version import __version__

__all__ = [
    "FREE", "LOCKED_IN", "LOCKED_OUT", "DataError", "Evaluation", "GridMapping", "Infeasible", "MarxanProject",
    "Model", "PlanningData", "Portfolio", "Problem", "ProtConn", "ScenarioError", "ScpError", "ScpWarning",
    "Solution", "SolveOptions", "SolverError", "SolverUnavailable", "Status", "boundary", "compile_problem",
    "evaluate", "from_geodataframe", "graph", "heuristic", "infeasibility_reasons", "marxan_problem", "portfolio", "protconn",
    "read_marxan", "replacement_importance", "resistance", "solve", "solve_model", "spatial", "__version__",
    "Zones", "ZonedProblem", "ZonedSolution", "evaluate_zoned", "solve_zoned", "zoned_portfolio",
    "zoned_replacement_importance", "rarity_weighted_richness", "shuffle_portfolio", "ferrier_importance",
    "rank_importance", "read_marzone", "marzone_problem", "marzone_score",
]
