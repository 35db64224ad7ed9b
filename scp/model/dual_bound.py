"""A valid lower bound from any dual vector (Lagrangian relaxation of the rows).

Mathematical formulation
------------------------
For ``min c'x + c_0`` subject to ``L <= A x <= U`` and ``l <= x <= u`` (the LP relaxation of the
model; every integer solution is feasible for it), and any row multipliers ``y`` with
``y_r >= 0`` where only ``L_r`` is finite and ``y_r <= 0`` where only ``U_r`` is finite,

``c'x >= c'x - y'(A x) + sum_r (y_r^+ L_r - y_r^- U_r)`` for every feasible ``x``, so

``z* >= c_0 + sum_r (y_r^+ L_r - y_r^- U_r) + sum_j min(d_j l_j, d_j u_j)``, ``d = c - A' y``.

The bound holds for *any* such ``y``, so an interior-point answer that stopped before
convergence (or at a time limit) still gives a valid bound; its quality depends on how close
``y`` is to optimal. Equality and ranged rows take either sign. References: Geoffrion (1974)
Math. Programming Study 2:82-114; Fisher (1981) Management Science 27:1-18.
"""

from __future__ import annotations

import numpy as np

from .model import Model


def dual_bound(model: Model, y: np.ndarray) -> float:
    """The Lagrangian lower bound of ``model`` (minimisation form, offset included) for row
    multipliers ``y``, after projecting ``y`` onto the signs its rows allow (see module
    docstring); ``-inf`` when a column without a finite bound has a reduced cost of the wrong sign."""
    y = np.asarray(y, dtype=np.float64).copy()
    lo_ok, up_ok = np.isfinite(model.row_lower), np.isfinite(model.row_upper)
    y[~lo_ok & (y > 0)] = 0.0
    y[~up_ok & (y < 0)] = 0.0
    y[~np.isfinite(y)] = 0.0
    rows = np.where(y > 0, y * np.where(lo_ok, model.row_lower, 0.0), y * np.where(up_ok, model.row_upper, 0.0))
    d = model.c - model.A.T @ y
    lo, up = model.col_lower, model.col_upper
    with np.errstate(invalid="ignore"):
        cols = np.where(d >= 0, d * lo, d * up)
    cols[d == 0] = 0.0
    if not np.isfinite(cols).all():
        return float("-inf")
    return float(model.offset + rows.sum() + cols.sum())


def best_dual_bound(model: Model, y: np.ndarray) -> float:
    """The better of the bounds of ``y`` and ``-y`` (solvers differ in their sign convention)."""
    return max(dual_bound(model, y), dual_bound(model, -np.asarray(y, dtype=np.float64)))
