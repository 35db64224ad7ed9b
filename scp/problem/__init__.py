"""Stage 2, problem: the declarative grammar (:class:`Problem`) and its components (objectives,
targets, constraints, penalties, graph constraints). Pure description: nothing here compiles,
solves or evaluates.

May import: :mod:`scp.data`, :mod:`scp.errors`.
"""

from .problem import Problem

__all__ = ["Problem"]
