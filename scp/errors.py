"""Exception hierarchy of scp.

Every message names the input that is wrong (file, YAML path, layer, PU id or
feature), what was expected, what was found, and what to do about it.

Hierarchy
---------
ScpError
    DataError          bad planning data (shapes, ids, NaN, negative values)
    ScenarioError      bad problem specification or scenario document
    SolverUnavailable  the requested solver is not installed or not known
    SolverError        the solver failed for a reason other than infeasibility
    Infeasible         no selection satisfies the constraints (with a diagnosis)
"""

from __future__ import annotations

import warnings


class ScpError(Exception):
    """Base class of all errors raised by scp."""


class DataError(ScpError, ValueError):
    """Planning data are malformed (wrong shapes, unknown ids, NaN or negative values)."""


class ScenarioError(ScpError, ValueError):
    """A problem specification or scenario document is invalid.

    Parameters
    ----------
    message:
        What is wrong and how to fix it.
    path:
        Location of the offending entry, e.g. ``"targets.markhor.relative"``.
    """

    def __init__(self, message: str, path: str | None = None) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class SolverUnavailable(ScpError, RuntimeError):
    """The requested solver backend is unknown or not installed."""


class SolverError(ScpError, RuntimeError):
    """The solver stopped with an error (not infeasibility, not a time limit)."""


class Infeasible(ScpError):
    """No selection of planning units satisfies every constraint.

    Attributes
    ----------
    reasons:
        Domain-worded diagnoses, e.g. ``"target of feature 'markhor' is 120 but
        at most 80 can be held by units that are not locked out"``.
    """

    def __init__(self, message: str, reasons: list[str] | None = None) -> None:
        self.reasons = list(reasons or [])
        if self.reasons:
            message = message + "\n" + "\n".join(f"  - {r}" for r in self.reasons)
        super().__init__(message)


class ScpWarning(UserWarning):
    """Warnings about problems that are solvable but numerically or practically risky."""


def warn(message: str) -> None:
    """Issue an :class:`ScpWarning` attributed to the caller of the public API."""
    warnings.warn(message, ScpWarning, stacklevel=3)
