"""Compile a :class:`~scp.problem.zoned.ZonedProblem` into a :class:`~scp.model.Model`.

Columns ``"x"`` are the ``n x Z`` decisions in zone-major order (column ``z n + i`` is ``x_iz``),
so a model's first ``n_pu = n Z`` columns are the decisions; penalties with the default zone
matrix (or any ``M = m I``) go through continuous columns ``"in_a_zone"`` ``y_i = sum_z x_iz``
that follow them and carry the plain pair linearisation. Rows: ``"one_zone"``
(``sum_z x_iz <= 1``; left out with one zone), ``"locked:some_zone"`` (``sum_z x_iz >= 1``),
``"target"``, ``"zone_target:k"``, ``"coverage:k:LABEL"``, ``"budget"``; the boundary penalty's
products go through the same pair formulations as the plain problem
(:mod:`scp.model.pairs`) on the flattened decisions. Every block is vectorised (Kronecker
products and stacked sparse matrices). See :mod:`scp.problem.zoned` for the mathematics.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..errors import ScenarioError
from ..problem.constraints import Budget
from ..problem.objectives import MaxUtility, MinSet, MinShortfall, feature_weights
from ..problem.targets import resolve_targets
from ..problem.zoned import ZonedProblem
from .model import Model, ModelBuilder
from .pairs import PAIR_FORMULATIONS


def _over_zones(blocks: list[sp.csr_matrix], chosen: np.ndarray, z: int) -> sp.csr_matrix:
    """``[M_0 | M_1 | ...]`` with the blocks of zones not in ``chosen`` zeroed."""
    keep = np.zeros(z, dtype=bool)
    keep[chosen] = True
    return sp.hstack([b if keep[k] else sp.csr_matrix(b.shape) for k, b in enumerate(blocks)], format="csr")


def zone_pair_terms(problem: ZonedProblem, parts=None) -> tuple[np.ndarray, sp.csr_matrix]:
    """Linear part ``e`` (length ``n Z``) and strictly upper triangular pair rewards ``W`` of the
    zoned penalties (:meth:`~scp.problem.zoned.ZonedProblem.pair_parts`, default all): for each
    ``(p, A, o, M)``, ``e_(z,i) = p M_zz (o_i + sum_{j != i} A_ij)`` and, for ``i < j``,
    ``W_(z1,i),(z2,j) = p A_ij Q_z1z2`` with ``Q_zz = 2 M_zz`` and ``Q_z1z2 = M_z1z1 + M_z2z2 - M_z1z2``
    (>= 0 by the check on ``M``), so that ``e'x - sum W x x`` equals the state costs of
    :mod:`scp.problem.zoned` at every 0/1 allocation."""
    n, z = problem.data.n_pu, problem.zones.n_zones
    e, W = np.zeros(n * z), sp.csr_matrix((n * z, n * z))
    for p, A, outer, m in (problem.pair_parts() if parts is None else parts):
        d = np.diag(m)
        e = e + p * np.kron(d, outer + np.asarray(A.sum(axis=1)).ravel())
        Q = d[:, None] + d[None, :] - m
        np.fill_diagonal(Q, 2.0 * d)
        Wp = sp.kron(sp.csr_matrix(Q), sp.triu(A, k=1, format="csr"), format="csr") * p
        W = W + sp.triu(Wp + Wp.T, k=1, format="csr")
    W = sp.csr_matrix(W)
    W.eliminate_zeros()
    return e, W


def _uniform(m: np.ndarray) -> bool:
    """``M = m I``: only the outline of all zones together is priced, equally."""
    return bool(np.allclose(m, m[0, 0] * np.eye(m.shape[0])))


def _outline_terms(problem: ZonedProblem, parts) -> tuple[np.ndarray, sp.csr_matrix]:
    """Penalties whose matrix is ``M = m I`` are ``m`` times the plain penalty of ``y_i = sum_z x_iz``
    (in a zone or not): their linear part and pair rewards over ``y``."""
    n = problem.data.n_pu
    e, W = np.zeros(n), sp.csr_matrix((n, n))
    for p, A, outer, m in parts:
        e = e + p * m[0, 0] * (outer + np.asarray(A.sum(axis=1)).ravel())
        W = W + sp.triu(A, k=1, format="csr") * (2.0 * p * m[0, 0])
    return e, sp.csr_matrix(W)


def compile_zoned(problem: ZonedProblem, pair_formulation: str = "pairs") -> Model:
    """Build the MILP of ``problem`` (module docstring)."""
    data, zones = problem.data, problem.zones
    n, z = data.n_pu, zones.n_zones
    obj = problem.objective
    targets = problem.resolved_targets()
    if isinstance(obj, MinSet) and not problem.base.targets and not problem.zone_targets:
        raise ScenarioError("a minimum-set problem needs targets; add relative_targets(...)", "targets")
    H = zones.held(data.rij)  # per zone, features x units
    cost = zones.cost.T.ravel()  # zone-major
    b = ModelBuilder(n * z)
    x = b.add_columns("x", n * z, lower=0.0, upper=1.0, integer=True)
    # penalties priced on the outline of all zones go through continuous columns "in_a_zone"
    # y_i = sum_z x_iz (tag "in_a_zone" rows), right after x, so that the model has as many pair
    # columns as the plain problem instead of Z^2 times as many; the others on x itself; one
    # pair block over [x, y]
    parts = problem.pair_parts()
    outline = [q for q in parts if z > 1 and _uniform(q[3])]
    rest = [q for q in parts if not (z > 1 and _uniform(q[3]))]
    e, W = zone_pair_terms(problem, rest)
    if outline:
        y = b.add_columns("in_a_zone", n, lower=0.0, upper=1.0)
        r = np.arange(n)
        link = sp.csr_matrix((np.concatenate([-np.ones(n * z), np.ones(n)]),
                              (np.concatenate([np.tile(r, z), r]), np.concatenate([np.arange(n * z), y.start + r]))),
                             shape=(n, y.stop))
        b.add_rows("in_a_zone", link, 0.0, 0.0)
        ey, Wy = _outline_terms(problem, outline)
        e, W = np.concatenate([e, ey]), sp.block_diag([W, Wy], format="csr")
    if parts:
        b.add_cost(x, e[: n * z])
        if outline:
            b.add_cost(y, e[n * z:])
        PAIR_FORMULATIONS[pair_formulation](b, slice(x.start, x.start + e.size), None, W)
    stacked = sp.hstack(H, format="csr")  # features x (n Z): held over all zones
    if isinstance(obj, MinSet):
        b.add_cost(x, cost)
        b.sense = 1
    elif isinstance(obj, MaxUtility):
        u = feature_weights(data, dict(obj.weights), "objective.weights")
        b.add_cost(x, -np.asarray(stacked.T @ u).ravel())
        b.sense = -1
        b.add_rows("budget", sp.csr_matrix(cost.reshape(1, -1)), -np.inf, obj.budget)
    elif isinstance(obj, MinShortfall):
        u = feature_weights(data, dict(obj.weights), "objective.weights")
        has = np.flatnonzero(np.isfinite(targets) & (np.nan_to_num(targets) > 0))
        t = targets[has]
        s = b.add_columns("shortfall", has.size, lower=0.0, upper=t, cost=u[has] / t)
        block = sp.hstack([stacked[has], sp.csr_matrix((has.size, s.start - x.stop)), sp.eye(has.size)], format="csr")
        b.add_rows("shortfall", block, t, np.inf)
        b.add_rows("budget", sp.csr_matrix(cost.reshape(1, -1)), -np.inf, obj.budget)
        b.sense = 1
    else:  # pragma: no cover - the objectives above are all there are
        raise ScenarioError(f"{type(obj).__name__} is not available with zones", "objective")
    # locks as column bounds, and "in some zone" rows
    allowed, need_some = problem.allowed()
    b.set_bounds(x, upper=0.0, where=~allowed.T.ravel())
    forced = np.zeros((z, n), dtype=bool)
    for lock in problem.locks:
        if lock.inside:
            forced[zones.index(lock.zone), lock.mask] = True
    if z == 1:
        b.set_bounds(x, lower=1.0, where=need_some)
    else:
        b.set_bounds(x, lower=1.0, where=forced.ravel())
        some = need_some & ~forced.any(axis=0)
        if some.any():
            rows = sp.hstack([sp.eye(n, format="csr")[some]] * z, format="csr")
            b.add_rows("locked:some_zone", rows, 1.0, np.inf)
    # constraints
    if z > 1:
        b.add_rows("one_zone", sp.hstack([sp.eye(n, format="csr")] * z, format="csr"), -np.inf, 1.0)
    if isinstance(obj, MinSet):
        has = np.flatnonzero(np.isfinite(targets))
        if has.size:
            b.add_rows("target", stacked[has], targets[has], np.inf, labels=tuple(data.features[j] for j in has))
    for k, zt in enumerate(problem.zone_targets):
        t = resolve_targets(data, zt.specs)
        has = np.flatnonzero(np.isfinite(t))
        if has.size:
            b.add_rows(f"zone_target:{k}", _over_zones(problem.zone_target_amounts(zt, H), zones.indices(zt.zones), z)[has],
                       t[has], np.inf)
    for k, zc in enumerate(problem.coverages):
        chosen = zones.indices(zc.zones if zc.zones is not None else problem.target3_zones())
        for label, mask in zc.coverage.groups(data):
            a = np.where(mask, data.area, 0.0)
            share = a / a.sum() if a.sum() > 0 else a
            row = sp.csr_matrix(share.reshape(1, -1))
            b.add_rows(f"coverage:{k}:{label}", _over_zones([row] * z, chosen, z), zc.coverage.fraction, np.inf)
    for c in problem.base.constraints:
        if isinstance(c, Budget):
            b.add_rows("budget", sp.csr_matrix(cost.reshape(1, -1)), -np.inf, c.amount)
    b.info["targets"] = targets
    b.info["zones"] = zones.names
    return b.build()
