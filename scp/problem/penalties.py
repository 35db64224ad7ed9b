"""Penalties: quadratic terms in the selection, linearised exactly.

Mathematical formulation
------------------------
Every penalty is written as a linear part and a pair part with non-negative weights::

    P(x) = sum_i e_i x_i - sum_{i<j} W_ij x_i x_j ,      W_ij >= 0

* Boundary length with penalty ``p`` and edge factor ``f`` (Marxan's BLM when ``f = 1``;
  Ball et al. 2009)::

      e_i = p (f B_ii + sum_{j != i} B_ij),     W_ij = 2 p B_ij

* Symmetric connectivity ``C`` (connectivity between selected and unselected units is
  lost; Marxan's connectivity)::

      e_i = p sum_{j != i} C_ij,                 W_ij = 2 p C_ij

* Linear penalty with a per-unit layer ``d`` (prioritizr ``add_linear_penalties``; e.g. human
  footprint): ``e_i = p d_i``, no pairs. ``d`` may be negative (a benefit); ``p >= 0``.

* Neighbour penalty (prioritizr ``add_neighbor_penalties``; Williams et al. 2005): a reward
  ``p`` for every pair of adjacent units selected together, ``P(x) = -p sum_{i<j} A_ij x_i x_j``
  with ``A`` the 0/1 adjacency (rook, or queen on grids)::

      e_i = 0,                                   W_ij = p A_ij

  so selections with few selected neighbours pay more than clustered ones.

* Asymmetric connectivity ``D`` charges ``p sum_{i != j} D_ij x_i (1 - x_j)`` (Beger et al.
  2010; flow out of the selection is lost)::

      e_i = p sum_{j != i} D_ij,                 W_ij = p (D_ij + D_ji)

The compiler sums the pair parts of all penalties and linearises each product with a
continuous ``y_ij in [0, 1]``, ``y_ij <= x_i``, ``y_ij <= x_j`` and objective coefficient
``-W_ij`` (tags ``"pair_aux"`` columns, ``"pair_aux:i"`` and ``"pair_aux:j"`` rows). Because
``W_ij >= 0`` and the objective is minimised, ``y_ij = min(x_i, x_j) = x_i x_j`` at every
optimum. (Maximisation objectives are compiled as minimisation, so the same holds.)

Negative penalty factors (prioritizr allows them: a negative boundary penalty spreads a plan out,
a negative neighbour penalty keeps selected units apart) flip the signs: ``W_ij < 0`` makes
``-W_ij x_i x_j`` a cost, linearised with ``y_ij >= x_i + x_j - 1`` (tag ``"pair_aux:both"``) and
``y_ij >= 0``, so that ``y_ij = max(0, x_i + x_j - 1) = x_i x_j`` for 0/1 decisions. That form
prices shares differently from ``min(x_i, x_j)``, so negative pair penalties need binary
decisions; the compact formulation takes ``W_ij >= 0`` only.

References
----------
Ball, Possingham & Watts (2009) Marxan and relatives. Beyer et al. (2016) Ecological
Modelling 328:14-22 (linearisation). Beger et al. (2010) Conservation Letters 3:359-368.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..data.checks import non_negative
from ..data import PlanningData
from ..errors import ScenarioError


def _check_penalty(value: float, where: str) -> float:
    return non_negative(value, where, " (0 switches the penalty off)")


def _signed_penalty(value: float, where: str) -> float:
    """A finite penalty factor of either sign (negative: the penalty rewards what it charged)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ScenarioError(f"{value!r} is not a number", where) from None
    if not np.isfinite(v):
        raise ScenarioError(f"{value!r} must be a finite number (0 switches the penalty off)", where)
    return v


def _off_diagonal(m: sp.csr_matrix) -> sp.csr_matrix:
    m = sp.csr_matrix(m)
    out = (m - sp.diags(m.diagonal())).tocsr()
    out.eliminate_zeros()
    return out


@dataclass(frozen=True)
class BoundaryPenalty:
    """Penalise the boundary length of the selection (see module docstring)."""

    penalty: float
    edge_factor: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "penalty", _signed_penalty(self.penalty, "boundary.penalty"))
        f = _check_penalty(self.edge_factor, "boundary.edge_factor")
        if f > 1:
            raise ScenarioError(f"{f} is not in [0, 1]", "boundary.edge_factor")
        object.__setattr__(self, "edge_factor", f)

    def terms(self, data: PlanningData) -> tuple[np.ndarray, sp.csr_matrix]:
        """``(e, W)`` with ``W`` strictly upper triangular."""
        if data.boundary is None:
            raise ScenarioError("the planning data have no boundary matrix; give one (e.g. a grid or "
                                "Marxan bound.dat) or remove the boundary penalty", "boundary")
        B = data.boundary
        off = _off_diagonal(B)
        e = self.penalty * (self.edge_factor * B.diagonal() + np.asarray(off.sum(axis=1)).ravel())
        return e, sp.triu(off, k=1, format="csr") * (2.0 * self.penalty)


@dataclass(frozen=True)
class ConnectivityPenalty:
    """Penalise connectivity lost between selected and unselected units.

    ``matrix`` is the name of a connectivity matrix in the data (or ``None`` for the only
    one). With ``asymmetric=True`` the matrix is read as directed flows ``D_ij`` from i to j.
    """

    penalty: float
    matrix: str | None = None
    asymmetric: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "penalty", _signed_penalty(self.penalty, "connectivity.penalty"))

    def resolve(self, data: PlanningData) -> sp.csr_matrix:
        if not data.connectivity:
            raise ScenarioError("the planning data have no connectivity matrix", "connectivity.matrix")
        if self.matrix is None:
            if len(data.connectivity) > 1:
                raise ScenarioError(f"several matrices {sorted(data.connectivity)}; name one",
                                    "connectivity.matrix")
            return next(iter(data.connectivity.values()))
        if self.matrix not in data.connectivity:
            raise ScenarioError(f"unknown matrix {self.matrix!r}; the data have {sorted(data.connectivity)}",
                                "connectivity.matrix")
        return data.connectivity[self.matrix]

    def terms(self, data: PlanningData) -> tuple[np.ndarray, sp.csr_matrix]:
        off = _off_diagonal(self.resolve(data))
        e = self.penalty * np.asarray(off.sum(axis=1)).ravel()
        if self.asymmetric:
            W = sp.triu(off + off.T, k=1, format="csr") * self.penalty
        else:
            sym = (off + off.T) * 0.5
            W = sp.triu(sym, k=1, format="csr") * (2.0 * self.penalty)
            e = self.penalty * np.asarray(sym.sum(axis=1)).ravel()
        return e, W


@dataclass(frozen=True, eq=False)
class LinearPenalty:
    """Add ``penalty * sum_i values_i x_i`` to the objective (see module docstring)."""

    penalty: float
    values: np.ndarray
    name: str = "linear"

    def __post_init__(self) -> None:
        object.__setattr__(self, "penalty", _signed_penalty(self.penalty, f"linear_penalties.{self.name}.penalty"))
        v = np.asarray(self.values, dtype=np.float64)
        if v.ndim != 1 or not np.isfinite(v).all():
            bad = int((~np.isfinite(v)).sum()) if v.ndim == 1 else -1
            raise ScenarioError(f"the penalty layer must be one finite number per planning unit ({bad} are not)",
                                f"linear_penalties.{self.name}")
        object.__setattr__(self, "values", v)

    def terms(self, data: PlanningData) -> tuple[np.ndarray, sp.csr_matrix]:
        """``(p d, empty W)``."""
        if self.values.shape != (data.n_pu,):
            raise ScenarioError(f"{self.values.size} penalty values for {data.n_pu} planning units",
                                f"linear_penalties.{self.name}")
        return self.penalty * self.values, sp.csr_matrix((data.n_pu, data.n_pu))


@dataclass(frozen=True)
class NeighbourPenalty:
    """Reward ``penalty`` per pair of adjacent selected units (see module docstring)."""

    penalty: float
    directions: int = 4

    def __post_init__(self) -> None:
        object.__setattr__(self, "penalty", _signed_penalty(self.penalty, "neighbour_penalty.penalty"))
        if self.directions not in (4, 8):
            raise ScenarioError(f"directions {self.directions!r} must be 4 or 8", "neighbour_penalty.directions")

    def adjacency(self, data: PlanningData) -> sp.csr_matrix:
        from ..data.spatial import adjacency

        return sp.triu(adjacency(data, self.directions, "neighbour_penalty"), k=1, format="csr")

    def terms(self, data: PlanningData) -> tuple[np.ndarray, sp.csr_matrix]:
        """``(0, p A)``."""
        return np.zeros(data.n_pu), self.adjacency(data) * self.penalty
