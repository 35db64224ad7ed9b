"""What a decision ``x_i`` may be: binary (take a unit or not), a proportion, or a proportion up
to a limit, and per-unit bounds.

Mathematical formulation
------------------------
* binary (default): ``x_i in {0, 1}``;
* proportion: ``x_i in [0, 1]``, the share of unit ``i`` managed for conservation (costs, amounts
  and areas count pro rata);
* semicontinuous: ``x_i in [0, u]`` with ``u`` the upper limit of every unit (prioritizr's
  ``add_semicontinuous_decisions(upper_limit)``, where "semicontinuous" likewise means a continuous
  share with a limit);
* manual bounds (:class:`DecisionBounds`): ``l_i <= x_i <= u_i`` per unit (prioritizr's
  ``add_manual_bounded_constraints``), within the decision's own range; a lock takes precedence
  over them (a locked-in unit is at the decision's maximum, a locked-out one at 0).

With continuous decisions a penalty on a pair of units is priced on the shared part
``min(x_i, x_j)``: the boundary of a selection is ``f sum_i b_ii x_i + sum_{i != j} b_ij (x_i -
min(x_i, x_j))``, which equals Marxan's boundary for 0/1 decisions; that is what the linearised
model (``y_ij <= x_i``, ``y_ij <= x_j``) computes and what :func:`scp.evaluate` recomputes.

References
----------
Hanson et al. (2025) prioritizr: Systematic Conservation Prioritization in R, decisions
(``add_binary_decisions``, ``add_proportion_decisions``, ``add_semicontinuous_decisions``,
``add_manual_bounded_constraints``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ScenarioError

KINDS = ("binary", "proportion", "semicontinuous")


@dataclass(frozen=True)
class Decisions:
    """The type of the unit decisions (module docstring)."""

    kind: str = "binary"
    upper: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ScenarioError(f"unknown decision type {self.kind!r}; use one of {list(KINDS)}", "decisions.type")
        try:
            u = float(self.upper)
        except (TypeError, ValueError):
            raise ScenarioError(f"{self.upper!r} is not a number", "decisions.upper") from None
        if not (0.0 < u <= 1.0) or (self.kind != "semicontinuous" and u != 1.0):
            raise ScenarioError(f"upper limit {self.upper!r} must be in (0, 1] and is only for semicontinuous "
                                "decisions", "decisions.upper")
        object.__setattr__(self, "upper", u)

    @property
    def continuous(self) -> bool:
        return self.kind != "binary"


@dataclass(frozen=True, eq=False)
class DecisionBounds:
    """Per-unit bounds ``lower <= x <= upper`` on the decisions."""

    lower: np.ndarray
    upper: np.ndarray

    def __post_init__(self) -> None:
        lo = np.asarray(self.lower, dtype=np.float64)
        hi = np.asarray(self.upper, dtype=np.float64)
        if lo.shape != hi.shape or lo.ndim != 1:
            raise ScenarioError(f"lower and upper bounds have shapes {lo.shape} and {hi.shape}; give one value per "
                                "unit for each", "decision_bounds")
        bad = ~np.isfinite(lo) | ~np.isfinite(hi) | (lo < 0) | (hi > 1) | (lo > hi)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise ScenarioError(f"unit at position {k}: bounds [{lo[k]:g}, {hi[k]:g}] are not 0 <= lower <= upper <= 1",
                                "decision_bounds")
        object.__setattr__(self, "lower", lo)
        object.__setattr__(self, "upper", hi)

    def checked(self, decisions: Decisions, n_pu: int) -> "DecisionBounds":
        """Itself, after checking it against ``n_pu`` units and the decision type."""
        if self.lower.shape != (n_pu,):
            raise ScenarioError(f"{self.lower.size} bounds for {n_pu} units", "decision_bounds")
        if not decisions.continuous:
            frac = ~np.isin(self.lower, (0.0, 1.0)) | ~np.isin(self.upper, (0.0, 1.0))
            if frac.any():
                raise ScenarioError("binary decisions take bounds 0 or 1 only; use proportion decisions for "
                                    "fractional bounds", "decision_bounds")
        if (self.lower > decisions.upper + 1e-12).any():
            raise ScenarioError(f"a lower bound exceeds the decisions' upper limit {decisions.upper:g}",
                                "decision_bounds")
        return self


def decision_range(problem) -> tuple[np.ndarray, np.ndarray]:
    """``(lower, upper)`` per unit from the decision type and the manual bounds (locks not included)."""
    n = problem.data.n_pu
    lo, hi = np.zeros(n), np.full(n, problem.decisions.upper)
    for c in problem.constraints:
        if isinstance(c, DecisionBounds):
            lo = np.maximum(lo, c.lower)
            hi = np.minimum(hi, c.upper)
    return lo, hi
