"""Compile a :class:`~scp.problem.Problem` into a canonical sparse :class:`~scp.model.Model`.

Fixed order of blocks: decisions (``"x"``) -> objective -> locked (column bounds) ->
penalties (``"pair_aux"``) -> constraints (``"target"``, ``"budget"``, ``"coverage:*"``,
``"linear:*"``). Every block is a vectorised numpy/scipy.sparse construction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from .constraints import Locked
from .model import Model, ModelBuilder

if TYPE_CHECKING:  # pragma: no cover
    from .problem import Problem


def pair_block(b: ModelBuilder, x: slice, linear: np.ndarray, pairs: sp.csr_matrix) -> None:
    """Add linear penalty costs and the linearised pair products.

    For every ``(i, j)`` with ``W_ij > 0``: a column ``y`` in ``[0, 1]`` with cost ``-W_ij`` and
    rows ``y - x_i <= 0`` (tag ``"pair_aux:i"``), ``y - x_j <= 0`` (tag ``"pair_aux:j"``).
    """
    b.add_cost(x, linear)
    W = sp.triu(pairs, k=1).tocoo()
    keep = W.data > 0
    i, j, w = W.row[keep].astype(np.int64), W.col[keep].astype(np.int64), W.data[keep]
    order = np.lexsort((j, i))
    i, j, w = i[order], j[order], w[order]
    k = w.size
    if k == 0:
        return
    y = b.add_columns("pair_aux", k, lower=0.0, upper=1.0, cost=-w)
    b.info["pair_ij"] = (i, j)
    r = np.arange(k)
    for tag, other in (("pair_aux:i", i), ("pair_aux:j", j)):
        rows = np.concatenate([r, r])
        cols = np.concatenate([y.start + r, x.start + other])
        vals = np.concatenate([np.ones(k), -np.ones(k)])
        block = sp.csr_matrix((vals, (rows, cols)), shape=(k, y.stop))
        b.add_rows(tag, block, -np.inf, 0.0)


def compact_pair_block(b: ModelBuilder, x: slice, linear: np.ndarray, pairs: sp.csr_matrix) -> None:
    """Add linear penalty costs and the pair products in the compact per-unit formulation.

    With ``S = W + W^T`` (``W`` strictly upper triangular, ``W >= 0``) and ``w_i = sum_j S_ij``,
    ``sum_{i<j} W_ij x_i x_j = 1/2 sum_i x_i sum_j S_ij x_j``. One column ``v_i in [0, w_i]`` per
    unit with a pair, cost ``-1/2``, and rows::

        v_i - sum_j S_ij x_j <= 0      (tag "pair_compact:neighbours")
        v_i - w_i x_i        <= 0      (tag "pair_compact:self")

    At an optimum ``v_i = min(sum_j S_ij x_j, w_i x_i) = x_i sum_j S_ij x_j`` for 0/1 ``x``: exact,
    with ``n`` columns and ``2n`` rows instead of two rows per pair (a weaker LP relaxation).
    """
    b.add_cost(x, linear)
    W = sp.triu(pairs, k=1).tocsr()
    W.data[W.data < 0] = 0.0
    W.eliminate_zeros()
    if W.nnz == 0:
        return
    S = (W + W.T).tocsr()
    w = np.asarray(S.sum(axis=1)).ravel()
    units = np.flatnonzero(w > 0)
    k = units.size
    v = b.add_columns("pair_compact", k, lower=0.0, upper=w[units], cost=-0.5)
    b.info["pair_compact"] = (units, S)
    r = np.arange(k)
    Su = S[units].tocoo()
    rows = np.concatenate([r, Su.row])
    cols = np.concatenate([v.start + r, x.start + Su.col])
    vals = np.concatenate([np.ones(k), -Su.data])
    b.add_rows("pair_compact:neighbours", sp.csr_matrix((vals, (rows, cols)), shape=(k, v.stop)), -np.inf, 0.0)
    self_rows = sp.csr_matrix((np.concatenate([np.ones(k), -w[units]]),
                               (np.concatenate([r, r]), np.concatenate([v.start + r, x.start + units]))),
                              shape=(k, v.stop))
    b.add_rows("pair_compact:self", self_rows, -np.inf, 0.0)


PAIR_FORMULATIONS = {"pairs": pair_block, "compact": compact_pair_block}


def compile_problem(problem: "Problem", pair_formulation: str = "pairs") -> Model:
    """Build the canonical MILP of ``problem`` (see module docstring).

    ``pair_formulation`` linearises the pair products of the penalties: ``"pairs"`` (one column
    and two rows per pair, :func:`pair_block`) or ``"compact"`` (one column and two rows per
    unit, :func:`compact_pair_block`).
    """
    if pair_formulation not in PAIR_FORMULATIONS:
        from .errors import ScenarioError

        raise ScenarioError(f"{pair_formulation!r} is not one of {sorted(PAIR_FORMULATIONS)}",
                            "solver.formulation")
    data = problem.data
    n = data.n_pu
    b = ModelBuilder(n)
    # decisions
    x = b.add_columns("x", n, lower=0.0, upper=1.0, integer=True)
    # objective
    targets = problem.resolved_targets()
    problem.objective.compile(b, data, x, targets)
    # locked (data status first, then explicit locks)
    Locked(data.status == 1, 1).compile(b, data, x)
    Locked(data.status == 2, 0).compile(b, data, x)
    for c in problem.constraints:
        if isinstance(c, Locked):
            c.compile(b, data, x)
    # penalties
    active = [p for p in problem.penalties if p.penalty > 0]
    if active:
        linear = np.zeros(n)
        pairs = sp.csr_matrix((n, n))
        for p in active:
            e, W = p.terms(data)
            linear += e
            pairs = pairs + W
        PAIR_FORMULATIONS[pair_formulation](b, x, linear, pairs.tocsr())
    # constraints
    if problem.objective.name == "min_set":
        has = np.flatnonzero(np.isfinite(targets))
        if has.size:
            labels = tuple(data.features[j] for j in has)
            b.add_rows("target", data.rij[has], targets[has], np.inf, labels=labels)
    from .constraints import status_masks
    from .contiguity import GRAPH_CONSTRAINTS

    locked_in, _ = status_masks(data, problem.constraints)
    for c in problem.constraints:
        if isinstance(c, GRAPH_CONSTRAINTS):
            c.compile(b, data, x, locked_in)
        elif not isinstance(c, Locked):
            c.compile(b, data, x)
    b.info["targets"] = targets
    return b.build()
