"""The LP relaxation of a model that grows by cutting planes, kept in one HiGHS instance.

Rounds of cut generation solve the same LP again and again with a few hundred rows more. Solving
each from scratch repeats the whole work; here the first solve runs HiGHS's interior-point method
with crossover (which leaves a basis), every later one the dual simplex method from the last
basis, which stays dual feasible when rows are added (typically a few hundred iterations per
round instead of tens of thousands). Rows that stopped binding can be dropped (a cut pool kept
small), which keeps every later LP a relaxation of the problem.

Bounds are Lagrangian bounds of the row duals (:func:`scp.model.dual_bound.best_dual_bound`) over
the rows the LP holds, so every reported bound is valid even when a solve stopped early.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from ...model.model import Model, with_rows
from .highs import _attach_callbacks, _lp_answer, _new_highs, _pass_model
from .interrupt import raise_if_stopped


class GrowingLP:
    """``min c'x`` over the rows of ``model`` plus cut rows ``C x <= d`` added over time.

    Parameters
    ----------
    model : Model
        The model without the cuts (its integrality is ignored).
    threads : int, optional
        HiGHS threads.
    """

    def __init__(self, model: Model, threads: int | None = None) -> None:
        self.base = model
        self.highspy, self.h = _new_highs(False)
        h = self.h
        h.setOptionValue("output_flag", False)
        h.setOptionValue("solver", "ipm")
        h.setOptionValue("run_crossover", "on")
        if threads is not None:
            h.setOptionValue("threads", int(threads))
        _pass_model(h, self.highspy, model, integer=False)
        self.cuts = sp.csr_matrix((0, model.n_cols))
        self.rhs = np.zeros(0)
        self.age = np.zeros(0, dtype=np.int64)
        self.solves = 0

    @property
    def n_cuts(self) -> int:
        return self.cuts.shape[0]

    def model(self, tag: str = "cuts") -> Model:
        """``model`` with the cut rows the LP holds now (tagged ``tag``)."""
        return with_rows(self.base, tag, self.cuts, -np.inf, self.rhs) if self.n_cuts else self.base

    def add_cuts(self, rows: sp.csr_matrix, rhs: np.ndarray) -> None:
        """Add rows ``rows @ x <= rhs``."""
        rows = sp.csr_matrix(rows)
        k = rows.shape[0]
        if k == 0:
            return
        self.h.addRows(k, np.full(k, -self.highspy.kHighsInf), np.asarray(rhs, dtype=np.float64), int(rows.nnz),
                       rows.indptr[:-1].astype(np.int32), rows.indices.astype(np.int32),
                       rows.data.astype(np.float64))
        self.cuts = sp.vstack([self.cuts, rows], format="csr")
        self.rhs = np.concatenate([self.rhs, rhs])
        self.age = np.concatenate([self.age, np.zeros(k, dtype=np.int64)])

    def drop_slack_cuts(self, x: np.ndarray, min_age: int = 2, tol: float = 1e-6) -> int:
        """Remove the cut rows that ``x`` (the last LP point) satisfies with slack above ``tol``
        and that were added at least ``min_age`` solves ago; returns how many."""
        if not self.n_cuts:
            return 0
        slack = self.rhs - self.cuts @ x
        drop = (slack > tol) & (self.age >= min_age)
        k = int(drop.sum())
        if k:
            rows = np.flatnonzero(drop)
            self.h.deleteRows(k, (self.base.n_rows + rows).astype(np.int32))
            keep = ~drop
            self.cuts, self.rhs, self.age = self.cuts[keep], self.rhs[keep], self.age[keep]
        return k

    def solve(self, time_limit: float | None = None) -> tuple[np.ndarray | None, float]:
        """Solve the LP as it stands. Returns ``(x, bound)``: the solution (None unless optimal)
        and a valid lower bound of the problem (minimisation form, offset included) from the
        row duals; ``nan`` when HiGHS gave none."""
        h = self.h
        deadline = None if time_limit is None else time.perf_counter() + max(0.0, time_limit)
        if time_limit is not None:  # HiGHS's clock runs on over the solves of one instance
            h.setOptionValue("time_limit", float(h.getRunTime()) + max(0.0, time_limit))
        _attach_callbacks(h, self.highspy, None, deadline_at=deadline)
        h.run()
        raise_if_stopped()
        self.solves += 1
        self.age += 1
        if self.solves == 1:
            h.setOptionValue("solver", "simplex")  # hot starts from here on
        return _lp_answer(h, self.highspy, self.model())
