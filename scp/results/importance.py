"""Importance scores of the selected units that need no re-solve.

Rarity-weighted richness (Williams et al. 1996; prioritizr ``eval_rare_richness_importance``):
with ``m_j`` the largest amount of feature ``j`` in any unit and ``T_j`` its total,

``RWR_k = sum_j (r_kj / m_j) / T_j``      for selected units ``k`` (NaN for the others).

It ignores cost, zones and true irreplaceability (replacement cost,
:func:`scp.replacement_importance`, does not); it is for very large problems where re-solving
once per unit is out of reach.

Rescaling (prioritizr's ``rescale = TRUE``): finite positive scores are mapped linearly onto
``[0.01, 1]`` (all equal: 1); zeros, infinities and NaN are kept as they are.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def rescaled(values: np.ndarray) -> np.ndarray:
    """Finite positive values mapped linearly onto [0.01, 1]; others unchanged (module docstring)."""
    v = np.asarray(values, dtype=np.float64).copy()
    ok = np.isfinite(v) & (v > 0)
    if ok.any():
        lo, hi = v[ok].min(), v[ok].max()
        v[ok] = 1.0 if hi == lo else 0.01 + 0.99 * (v[ok] - lo) / (hi - lo)
    return v


def rarity_weighted_richness(data, selection, rescale: bool = True) -> np.ndarray:
    """``RWR_k`` per unit (module docstring); NaN for units not selected."""
    sel = np.asarray(selection, dtype=bool)
    R = sp.csr_matrix(data.rij)  # features x units
    m = np.asarray(R.max(axis=1).todense()).ravel()
    total = np.asarray(R.sum(axis=1)).ravel()
    scale = np.where((m > 0) & (total > 0), 1.0 / np.where(m > 0, m, 1.0) / np.where(total > 0, total, 1.0), 0.0)
    score = np.asarray(R.T @ scale).ravel()
    out = np.where(sel, score, np.nan)
    return rescaled(out) if rescale else out
