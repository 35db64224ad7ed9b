"""First allocations for a zoned problem: the best plan that puts every chosen unit in one zone,
and the MIP restricted to what the LP relaxation uses (:func:`lp_restricted_start`).

For each zone ``z`` whose single-zone plan can meet every requirement (no unit locked into another
zone; every coverage and zone target counted over a set of zones that holds ``z``), the plain
problem with costs ``C[:, z]``, amounts ``H^z`` and absolute targets ``max(t_f, t_kf)`` (the
targets over all zones and the zone targets over sets holding ``z``), the coverage constraints
and the locks (in some zone -> in; out of ``z`` -> out) is solved by :func:`scp.solve` with its
heuristics (annealing, LP-guided greedy, local search, then branch and bound) under a share of the
time; its selection, all in ``z``, is a feasible allocation of the zoned problem (verified by
:func:`~scp.results.zoned.evaluate_zoned`). The best one warm-starts the zoned branch and bound.
This is what lets the exact solver start from a good plan: on the Koytendag case the strict-only
plan is the zoned problem's allocation with no OECM.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from ..errors import Infeasible, SolverError
from ..problem import Problem
from ..problem.constraints import Budget, Locked
from ..problem.penalties import BoundaryPenalty
from ..problem.targets import resolve_targets
from ..problem.zoned import ZonedProblem
from ..results.zoned import evaluate_zoned
from .backends import SolveOptions, solve_with
from .backends.highs import lp_relaxation, solve_highs_guarded
from .pipeline import GUARDED_ROWS, solve


def single_zone_problem(problem: ZonedProblem, z: int) -> Problem | None:
    """The plain problem of putting units in zone ``z`` only (None when it cannot meet a requirement)."""
    zones, data = problem.zones, problem.data
    name = zones.names[z]
    if problem.objective.name != "min_set":
        return None
    if any(lock.inside and lock.zone != name and lock.mask.any() for lock in problem.locks):
        return None
    t = problem.resolved_targets()
    for zt in problem.zone_targets:
        if name not in zt.zones or zt.raw:
            return None
        t = np.fmax(t, resolve_targets(data, zt.specs))
    H = zones.held(data.rij)[z]
    plain = Problem(replace(data, cost=zones.cost[:, z].copy(), rij=H))
    has = np.isfinite(t)
    if has.any():
        plain = plain.absolute_targets({f: float(v) for f, v in zip(np.array(data.features)[has], t[has])})
    allowed, need_some = problem.allowed()
    plain = replace(plain, constraints=tuple(c for c in problem.base.constraints if isinstance(c, (Budget, Locked))))
    if (need_some & ~allowed[:, z]).any():
        return None
    if (~allowed[:, z]).any():
        plain = plain.locked_out(~allowed[:, z])
    if need_some.any():
        plain = plain.locked_in(need_some)
    for zc in problem.coverages:
        chosen = zc.zones if zc.zones is not None else problem.target3_zones()
        if name not in chosen:
            return None
        plain = replace(plain, constraints=plain.constraints + (zc.coverage,))
    # with every unit in zone z each zoned penalty is the plain one times its matrix's M_zz
    def scale(p):
        m = problem.edge_costs if isinstance(p, BoundaryPenalty) else problem.connectivity_costs
        return replace(p, penalty=p.penalty * (1.0 if m is None else float(m[z, z])))

    return replace(plain, penalties=tuple(scale(p) for p in problem.base.penalties))


def zoned_start(problem: ZonedProblem, gap: float, deadline_at: float | None, progress=None) -> np.ndarray | None:
    """The best feasible single-zone allocation (module docstring), or None."""
    best, best_obj = None, np.inf
    z_count = problem.zones.n_zones
    for z in range(z_count):
        plain = single_zone_problem(problem, z)
        if plain is None:
            continue
        left = None if deadline_at is None else max(0.5, (deadline_at - time.perf_counter()) / (z_count - z))
        try:
            sol = solve(plain, gap=max(gap, 1e-4), time_limit=left, warm_start="heuristic")
        except (Infeasible, SolverError):  # that zone alone cannot do it; the exact solver goes on
            continue
        alloc = np.where(sol.selection, z, -1).astype(np.int64)
        ev = evaluate_zoned(problem, alloc)
        if ev.feasible and ev.objective < best_obj:
            best, best_obj = alloc, ev.objective
    return best


RESTRICTED_SHARE = 0.3
"""Share of the time left after the LP for the restricted MIP (at least :data:`RESTRICTED_MIN_S`):
on a 10,000-unit, 3-zone problem without a penalty it used all of a 120 s share without
finishing, while branch and bound on the full model took 25 s from a weaker start."""
RESTRICTED_MIN_S = 5.0


def lp_restricted_start(problem: ZonedProblem, model, solver: str, gap: float, deadline_at: float | None,
                        threads: int | None = None) -> tuple[np.ndarray | None, float]:
    """The LP relaxation of the zoned model (a valid bound, minimisation form), then the MIP
    restricted to the decisions the LP uses (``x_iz = 0`` wherever the LP has ``x_iz <= 1e-6``),
    solved to ``max(gap, 0.5%)`` under the rest of the time (the LP gets up to 75% of it): a feasible allocation of the full
    problem when the restricted one has any (a relaxation-induced neighbourhood, as in RINS;
    Danna, Rothberg & Le Pape 2005). Returns (allocation or None, LP bound or -inf)."""
    n, z = problem.data.n_pu, problem.zones.n_zones
    left = None if deadline_at is None else max(0.2, deadline_at - time.perf_counter())
    x_lp, bound = lp_relaxation(model, None if left is None else 0.75 * left, threads)
    bound = float(bound) if np.isfinite(bound) else -np.inf
    if x_lp is None:
        return None, bound
    upper = model.col_upper.copy()
    upper[: n * z][x_lp[: n * z] <= 1e-6] = 0.0
    restricted = replace(model, col_upper=np.minimum(upper, model.col_upper))
    if deadline_at is not None:  # a first allocation, not a proof: the full branch and bound follows
        now = time.perf_counter()
        deadline_at = min(deadline_at, now + max(RESTRICTED_MIN_S, RESTRICTED_SHARE * (deadline_at - now)))
    options = SolveOptions(gap=max(gap, 0.005), threads=threads, deadline_at=deadline_at,
                           time_limit=None if deadline_at is None else max(0.1, deadline_at - time.perf_counter()))
    try:
        if solver == "highs" and deadline_at is not None and model.n_rows >= GUARDED_ROWS:
            res = solve_highs_guarded(restricted, options)
        else:
            res = solve_with(restricted, solver, options)
    except SolverError:
        return None, bound
    if res.x is None:
        return None, bound
    X = res.x[: n * z].reshape(z, n) > 0.5
    alloc = np.where(X.any(axis=0), X.argmax(axis=0), -1).astype(np.int64)
    return (alloc if evaluate_zoned(problem, alloc).feasible else None), bound
