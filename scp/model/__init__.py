"""Stage 3, model: the canonical sparse MILP (:class:`Model`), the vectorised compilation of a
problem into it (one formulation per component family) and the presolve checks.

May import: :mod:`scp.problem`, :mod:`scp.data`, :mod:`scp.errors`.
"""

from .compile import compile_problem
from .model import Block, Model, ModelBuilder
from .presolve import coefficient_warnings, infeasibility_reasons

__all__ = ["Block", "Model", "ModelBuilder", "coefficient_warnings", "compile_problem",
           "infeasibility_reasons"]
