"""Row scaling of a model by powers of two, as handed to a solver.

Mathematical formulation
------------------------
Row ``r`` of ``L <= A x <= U`` is multiplied by ``s_r = 2^(-round(log2 max_j |a_rj|))`` (``s_r = 1``
for a row without nonzeros):

``s_r L_r <= s_r a_r x <= s_r U_r``,

so every row's largest coefficient lies in ``[2^-0.5, 2^0.5]``. A power of two changes only the
floating-point exponent, so the scaled rows hold exactly the same points as the original ones
(no rounding), and the columns, the objective and every solution are unchanged. A dual value
``y'_r`` of the scaled row is the dual ``y_r = s_r y'_r`` of the original row (the Lagrangian
term ``y'_r (s_r a_r x - s_r L_r)`` equals ``(s_r y'_r)(a_r x - L_r)``).

Why: feature rows mix amounts of very different size (on prioritizr's Marxan example, 5e-5 to
4e3 within the model, 1 in the penalty rows), and the solver's absolute tolerances and cut
generation then treat rows unevenly. Measured on that example at BLM 1 (1,751 units; HiGHS 1.16
from the same warm start, 2 threads, this project's 2-core machine, random seeds 0-5): proven
optimal in 63.7, 68.7, 52.7, 63.3, 60.4, 64.5 s with scaled rows (mean 62.2) against 60.6, 95.3,
70.1, 74.2, > 100 (stopped), 57.5 s without (mean > 76). Scaling the objective by a power of two
as well (costs of ~1e5 to ~10) made it slower (78.7, 69.2, > 100, 73.8 s for seeds 0-3), so
the objective is left as it is.

Reference
---------
Curtis & Reid (1972) On the automatic scaling of matrices for Gaussian elimination. IMA Journal
of Applied Mathematics 10:118-124 (scaling by powers of the floating-point radix).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def row_scale(A: sp.spmatrix) -> np.ndarray:
    """The power-of-two factor of each row of ``A`` (see the module docstring)."""
    A = sp.csr_matrix(A)
    largest = np.zeros(A.shape[0])
    has = np.diff(A.indptr) > 0
    if has.any():
        largest[has] = np.maximum.reduceat(np.abs(A.data), A.indptr[:-1][has])
    scale = np.ones(A.shape[0])
    usable = (largest > 0) & np.isfinite(largest)
    scale[usable] = np.exp2(-np.round(np.log2(largest[usable])))
    return scale


def scaled_rows(A: sp.spmatrix, lower: np.ndarray, upper: np.ndarray
                ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, np.ndarray]:
    """``(s A, s L, s U, s)`` with ``s`` from :func:`row_scale` (infinite bounds stay infinite)."""
    A = sp.csr_matrix(A)
    s = row_scale(A)
    scaled = sp.csr_matrix((A.data * np.repeat(s, np.diff(A.indptr)), A.indices, A.indptr), shape=A.shape)
    return scaled, np.asarray(lower, dtype=np.float64) * s, np.asarray(upper, dtype=np.float64) * s, s


def original_duals(y_scaled: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Row duals of the original rows from those of the scaled rows (``y_r = s_r y'_r``); rows
    beyond ``scale`` (added later, unscaled) keep their values."""
    y = np.asarray(y_scaled, dtype=np.float64).copy()
    k = min(y.size, scale.size)
    y[:k] *= scale[:k]
    return y
