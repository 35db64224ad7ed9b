"""Linearisations of the penalty pair products ``sum_{i<j} W_ij x_i x_j`` (boundary and
connectivity penalties): one auxiliary column per pair, or one per unit (compact)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .model import ModelBuilder


def pair_block(b: ModelBuilder, x: slice, linear: np.ndarray, pairs: sp.csr_matrix) -> None:
    """Add linear penalty costs and the linearised pair products.

    For every ``(i, j)`` with ``W_ij > 0``: a column ``y`` in ``[0, 1]`` with cost ``-W_ij`` and
    rows ``y - x_i <= 0`` (tag ``"pair_aux:i"``), ``y - x_j <= 0`` (tag ``"pair_aux:j"``).
    """
    if linear is not None:  # None: the caller adds the linear part itself
        b.add_cost(x, linear)
    W = sp.triu(pairs, k=1).tocoo()
    keep = W.data > 0
    i, j, w = W.row[keep].astype(np.int64), W.col[keep].astype(np.int64), W.data[keep]
    order = np.lexsort((j, i))
    i, j, w = i[order], j[order], w[order]
    k = w.size
    if k:
        y = b.add_columns("pair_aux", k, lower=0.0, upper=1.0, cost=-w)
        b.info["pair_ij"] = (i, j)
        r = np.arange(k)
        for tag, other in (("pair_aux:i", i), ("pair_aux:j", j)):
            rows = np.concatenate([r, r])
            cols = np.concatenate([y.start + r, x.start + other])
            vals = np.concatenate([np.ones(k), -np.ones(k)])
            block = sp.csr_matrix((vals, (rows, cols)), shape=(k, y.stop))
            b.add_rows(tag, block, -np.inf, 0.0)
    neg = W.data < 0  # a cost on the product (negative penalty factors): y >= x_i + x_j - 1
    if neg.any():
        i, j, w = W.row[neg].astype(np.int64), W.col[neg].astype(np.int64), -W.data[neg]
        k = w.size
        y = b.add_columns("pair_aux_cost", k, lower=0.0, upper=1.0, cost=w)
        b.info["pair_cost_ij"] = (i, j)
        r = np.arange(k)
        block = sp.csr_matrix((np.concatenate([np.ones(k), -np.ones(k), -np.ones(k)]),
                               (np.concatenate([r, r, r]), np.concatenate([y.start + r, x.start + i, x.start + j]))),
                              shape=(k, y.stop))
        b.add_rows("pair_aux:both", block, -1.0, np.inf)


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
    if linear is not None:  # None: the caller adds the linear part itself
        b.add_cost(x, linear)
    W = sp.triu(pairs, k=1).tocsr()
    if (W.data < 0).any():
        from ..errors import ScenarioError

        raise ScenarioError("negative pair penalties need the 'pairs' formulation", "solver.formulation")
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
