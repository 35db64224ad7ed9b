"""Stage 4, results: what a selection means, computed from the selection itself: the honest
status of a solve, :func:`evaluate` (never trusts a solver), :class:`Solution` with its
provenance, ECA/ProtConn.

It sits below :mod:`scp.solving` because every solve ends by verifying its selection with
:func:`evaluate` and returns a :class:`Solution`.

May import: :mod:`scp.model`, :mod:`scp.problem`, :mod:`scp.data`, :mod:`scp.errors`.
"""

from .evaluate import Evaluation, evaluate
from .protconn import ProtConn, protconn
from .solution import Solution
from .status import Status

__all__ = ["Evaluation", "ProtConn", "Solution", "Status", "evaluate", "protconn"]
