"""Evaluate a selection from the selection itself, never from a solver's objective.

Pure functions of ``(problem, selection)``: cost, area and coverage (total and per
jurisdiction), representation of every feature against its target, boundary length,
connectivity penalties, budget/coverage/locked/linear constraint checks, and the
objective value recomputed from scratch.

Mathematical formulation
------------------------
``held_j = sum_i r_ij x_i``; ``shortfall_j = max(0, t_j - held_j)``; a target is met when
``held_j >= t_j - tol * max(1, t_j)``. Boundary length (edge factor ``f``)::

    L(x) = f sum_i B_ii x_i + sum_{i != j} B_ij x_i (1 - x_j)

(for continuous decisions ``x_i - min(x_i, x_j)`` in place of ``x_i (1 - x_j)``, as the model
prices it: :mod:`scp.problem.decisions`).

Connectivity penalty (matrix ``D``, symmetric matrices averaged first)::

    P(x) = p sum_{i != j} D_ij x_i (1 - x_j)

Corridor penalty: ``weight`` x the least resistance of a chain of selected units joining the
corridor's two areas (:meth:`scp.contiguity.Corridor.path_cost`). Patches are the connected
parts of the selection (4-neighbour adjacency) with their areas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from ..data.spatial import patch_areas, patches
from ..errors import DataError
from ..problem.constraints import Budget, Coverage, GroupTarget, Linear, status_masks
from ..problem.decisions import DecisionBounds, decision_range
from ..problem.graph import GRAPH_CONSTRAINTS, Corridor
from ..problem.objectives import hard_targets, tie_break_scale
from ..problem.penalties import BoundaryPenalty, ConnectivityPenalty, LinearPenalty, NeighbourPenalty

if TYPE_CHECKING:  # pragma: no cover
    from ..problem.problem import Problem

TOL = 1e-6


@dataclass
class FeatureResult:
    name: str
    total: float
    held: float
    target: float  # NaN when the feature has no target
    met: bool
    shortfall: float


@dataclass
class Evaluation:
    """Everything measurable about a selection (see module docstring)."""

    selected: np.ndarray
    cost: float
    n_selected: int
    area_selected: float
    area_total: float
    coverage: float
    coverage_by_jurisdiction: dict[str, float]
    features: list[FeatureResult]
    boundary_length: float | None
    penalties: dict[str, float]
    objective: float
    violations: list[str] = field(default_factory=list)
    n_patches: int = 0  # connected parts of the selection (units sharing an edge are connected)
    patch_areas: np.ndarray = field(default_factory=lambda: np.zeros(0))  # area of each patch, largest first
    shares: np.ndarray | None = None  # the decisions when they are continuous (None: binary, see selected)

    @property
    def targets_met(self) -> bool:
        return all(f.met for f in self.features)

    @property
    def n_targets_missed(self) -> int:
        return sum(not f.met for f in self.features)

    @property
    def feasible(self) -> bool:
        """True when no hard constraint is violated (targets of min-set problems included)."""
        return not self.violations


def as_selection(data_n: int, selection) -> np.ndarray:
    """Validate a 0/1 (or boolean) vector of length ``n_pu`` and return it as bool."""
    arr = np.asarray(selection)
    if arr.shape != (data_n,):
        raise DataError(f"selection: expected {data_n} values (one per PU), got shape {arr.shape}")
    if arr.dtype != bool:
        f = arr.astype(np.float64)
        if not np.isin(f, (0.0, 1.0)).all():
            raise DataError("selection: values must be 0/1 or booleans")
        arr = f > 0.5
    return arr


def decision_values(problem: "Problem", selection) -> np.ndarray:
    """The decisions ``x`` as floats: a 0/1 (or boolean) vector for binary decisions; shares in
    ``[0, upper]`` for continuous ones (solver noise within 1e-9 clipped)."""
    n = problem.data.n_pu
    if not problem.decisions.continuous:
        return as_selection(n, selection).astype(np.float64)
    x = np.asarray(selection, dtype=np.float64)
    if x.shape != (n,):
        raise DataError(f"decisions: expected {n} values (one per PU), got shape {x.shape}")
    upper = problem.decisions.upper
    if not np.isfinite(x).all() or (x < -1e-9).any() or (x > upper + 1e-9).any():
        raise DataError(f"decisions: shares must be finite numbers in [0, {upper:g}]")
    x = np.clip(x, 0.0, upper)
    x[x < 1e-9] = 0.0
    x[x > upper - 1e-9] = upper
    return x


def cut_weight(matrix: sp.spmatrix, x: np.ndarray) -> float:
    """``sum_{i != j} M_ij (x_i - min(x_i, x_j))`` for a sparse matrix ``M`` (diagonal ignored):
    ``sum_{i != j} M_ij x_i (1 - x_j)`` for 0/1 ``x``; the shared part ``min(x_i, x_j)`` for shares
    (:mod:`scp.problem.decisions`)."""
    M = sp.csr_matrix(matrix).tocoo()
    off = M.row != M.col
    r, c, v = M.row[off], M.col[off], M.data[off]
    return float(v @ (x[r] - np.minimum(x[r], x[c])))


def evaluate(problem: "Problem", selection) -> "Evaluation":
    """Evaluate ``selection`` against every component of ``problem``."""
    data = problem.data
    x = decision_values(problem, selection)
    sel = x > 0
    cost = float(data.cost @ x)
    area_sel = float(data.area @ x)
    area_tot = float(data.area.sum())
    by_j = {}
    if data.jurisdiction is not None:
        for k in data.jurisdictions:
            m = data.jurisdiction == k
            tot = float(data.area[m].sum())
            by_j[k] = float(data.area[m] @ x[m]) / tot if tot > 0 else 0.0

    targets = problem.resolved_targets()
    held = np.asarray(data.rij @ x).ravel()
    totals = data.feature_totals
    enforce = hard_targets(problem.objective)
    feats = []
    violations: list[str] = []
    for j, name in enumerate(data.features):
        t = targets[j]
        has = np.isfinite(t)
        met = bool(held[j] >= t - TOL * max(1.0, abs(t))) if has else True
        short = float(max(0.0, t - held[j])) if has else 0.0
        feats.append(FeatureResult(name, float(totals[j]), float(held[j]), float(t), met, short))
        if enforce and not met:
            violations.append(f"target of feature {name!r} not met: holds {held[j]:.6g} of {t:.6g}")

    locked_in, locked_out = status_masks(data, problem.constraints)
    full = problem.decisions.upper
    if (locked_in & (x < full - TOL)).any():
        violations.append(f"{int((locked_in & (x < full - TOL)).sum())} locked-in unit(s) not selected"
                          + (f" in full ({full:g})" if problem.decisions.continuous else ""))
    if (locked_out & sel).any():
        violations.append(f"{int((locked_out & sel).sum())} locked-out unit(s) selected")
    if any(isinstance(c, DecisionBounds) for c in problem.constraints):
        lo, hi = decision_range(problem)
        out = ~(locked_in | locked_out) & ((x < lo - TOL) | (x > hi + TOL))
        if out.any():
            violations.append(f"{int(out.sum())} unit(s) outside their decision bounds")
    budgets = [c.amount for c in problem.constraints if isinstance(c, Budget)]
    if getattr(problem.objective, "budget", None) is not None:
        budgets.append(problem.objective.budget)
    for b in budgets:
        if cost > b + TOL * max(1.0, b):
            violations.append(f"cost {cost:.6g} exceeds the budget {b:.6g}")
    for c in problem.constraints:
        if isinstance(c, Coverage):
            for label, mask in c.groups(data):
                tot = float(data.area[mask].sum())
                got = float(data.area[mask] @ x[mask])
                if got < c.fraction * tot - TOL * max(1.0, tot):
                    violations.append(f"coverage:{label} is {got / tot:.4%}, below {c.fraction:.2%}")
        elif isinstance(c, GroupTarget):
            t = c.amount(data)
            got = float(held[c.indices(data)].sum())
            if got < t - TOL * max(1.0, abs(t)):
                violations.append(f"group target {c.name!r} not met: holds {got:.6g} of {t:.6g}")
        elif isinstance(c, Linear):
            v = float(c.coefficients @ x)
            scale = TOL * max(1.0, abs(c.rhs))
            ok = {"<=": v <= c.rhs + scale, ">=": v >= c.rhs - scale, "==": abs(v - c.rhs) <= scale}[c.sense]
            if not ok:
                violations.append(f"linear:{c.name} is {v:.6g}, must be {c.sense} {c.rhs:.6g}")
    for c in problem.constraints:
        if isinstance(c, GRAPH_CONSTRAINTS):
            v = c.violation(data, sel, locked_in)
            if v:
                violations.append(v)
    lab = patches(data, sel)
    n_patches = int(lab.max()) + 1 if (lab >= 0).any() else 0
    sizes = patch_areas(data, lab)

    boundary_len = None
    penalties: dict[str, float] = {}
    edge_factor = next((p.edge_factor for p in problem.penalties if isinstance(p, BoundaryPenalty)), 1.0)
    if data.boundary is not None:
        B = data.boundary
        boundary_len = edge_factor * float(B.diagonal() @ x) + cut_weight(B, x)
    def add(key: str, value: float) -> None:  # two penalties of one kind add up under one key
        penalties[key] = penalties.get(key, 0.0) + value

    for p in problem.penalties:
        if isinstance(p, BoundaryPenalty):
            add("boundary", p.penalty * (p.edge_factor * float(data.boundary.diagonal() @ x) + cut_weight(data.boundary, x)))
        elif isinstance(p, ConnectivityPenalty):
            D = p.resolve(data)
            if not p.asymmetric:
                D = (D + D.T) * 0.5
            add(f"connectivity:{p.matrix or 'default'}", p.penalty * cut_weight(D, x))
        elif isinstance(p, LinearPenalty):
            add(f"linear:{p.name}", p.penalty * float(p.values @ x))
        elif isinstance(p, NeighbourPenalty):
            A = p.adjacency(data).tocoo()
            add("neighbours", -p.penalty * float(A.data @ np.minimum(x[A.row], x[A.col])))
    for c in problem.constraints:
        if isinstance(c, Corridor) and c.weight > 0:
            penalties[f"corridor:{c.name}"] = c.penalty(data, sel)
    pen = sum(penalties.values())

    obj_name = problem.objective.name
    if obj_name == "min_set":
        objective = cost + pen
    elif obj_name == "min_penalties":
        objective = pen
    elif obj_name == "max_utility":
        w = problem.objective_weights()
        objective = float(w @ held) - pen
    elif obj_name in ("max_phylo_diversity", "max_phylo_endemism"):
        T, v = problem.objective.branch_values(data)
        met = np.array([f.met for f in feats], dtype=np.float64)
        represented = np.asarray(T.T @ met).ravel() > 0
        objective = float(v[represented].sum()) - tie_break_scale(v, data.cost) * cost - pen
    elif obj_name in ("max_features_met", "max_cover"):
        w = problem.objective_weights()
        if obj_name == "max_features_met":
            has = np.isfinite(targets) & (np.nan_to_num(targets) > 0)
            counted = np.array([f.met for f in feats], dtype=bool) & has
            tie = tie_break_scale(w[has], data.cost)
        else:  # covered: any amount in a selected unit
            counted = np.asarray(sp.csr_matrix(data.rij > 0, dtype=np.float64) @ x).ravel() >= 1.0 - TOL
            tie = tie_break_scale(w, data.cost)
        objective = float(w[counted].sum()) - tie * cost - pen
    else:  # min_shortfall, min_largest_shortfall
        w = problem.objective_weights()
        has = np.isfinite(targets) & (np.nan_to_num(targets) > 0)
        rel = np.zeros(data.n_features)
        rel[has] = np.maximum(0.0, targets[has] - held[has]) / targets[has]
        weighted = w[has] * rel[has]
        largest = float(weighted.max()) if weighted.size else 0.0
        objective = (largest if obj_name == "min_largest_shortfall" else float(weighted.sum())) + pen
    return Evaluation(selected=sel, cost=cost, n_selected=int(sel.sum()), area_selected=area_sel,
                      area_total=area_tot, coverage=area_sel / area_tot if area_tot > 0 else 0.0,
                      coverage_by_jurisdiction=by_j, features=feats, boundary_length=boundary_len,
                      penalties=penalties, objective=objective, violations=violations, n_patches=n_patches,
                      patch_areas=sizes, shares=x if problem.decisions.continuous else None)
