"""Ferrier et al. (2000) irreplaceability of the selected units, per feature and in total.

Mathematical formulation
------------------------
With ``N`` units, a portfolio size ``n`` (the number of units selected), feature ``j`` with target
``t_j`` and amount ``a = r_kj`` in unit ``k``: the other ``N - 1`` units have mean ``mu`` and
(population) standard deviation ``sigma`` of their amounts. The sum of ``m`` units drawn at random
without replacement from them has mean ``m mu`` and standard deviation
``sigma sqrt(m (N' - m) / (N' - 1))`` with ``N' = N - 1`` (the finite-population correction), and is
taken as normal. Then

* ``p_in``  = P(a portfolio of size ``n`` holding ``k`` meets ``t_j``) = P(sum of ``n - 1`` others
  ``>= t_j - a``) (1 when ``a >= t_j``);
* ``p_out`` = P(a portfolio of size ``n`` without ``k`` meets it) = P(sum of ``n`` others ``>= t_j``);
* ``p_rem`` = P(the ``n - 1`` others alone meet it) = P(sum of ``n - 1`` others ``>= t_j``);

(``p_out = p_rem = 0`` when all the others together hold less than ``t_j``), and

``irr_kj = w (p_in - p_rem) / (w p_in + (1 - w) p_out)``,  ``w = n / N``

(0 when the denominator vanishes or ``a = 0``): the share of the portfolios meeting the target that
fail without ``k``. The total is the sum over features. Units not selected score NaN.

Choices against prioritizr's ``eval_ferrier_importance`` (``src/rcpp_ferrier_score.cpp``), which
was read to match the method: the normal tail here is the exact one (``scipy.special.ndtr``), where
prioritizr's ``calculate_z_prob`` uses ``exp(-sqrt(x) / 2)`` for the density; the standard
deviation is the population one (prioritizr's ``calculate_standard_dev`` drops a division by the
number of units); and the finite-population correction is the exact one above, where prioritizr
switches between two approximations at ``n = N / 2``. With these, the probabilities agree with
sampling portfolios at random (``tests/test_ferrier.py``).

References
----------
Ferrier S, Pressey RL, Barrett TW (2000) A new predictor of the irreplaceability of areas for
achieving a conservation goal. Biological Conservation 93:303-325.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.special import ndtr

from ..errors import ScenarioError


def _p_sum_at_least(need, m, n_others, mu, sigma):
    """P(sum of ``m`` of the others >= ``need``) under the normal approximation (vectorised)."""
    m = np.asarray(m, dtype=np.float64)
    mean = m * mu
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = sigma * np.sqrt(np.clip(m * (n_others - m) / np.maximum(n_others - 1.0, 1.0), 0.0, None))
        z = (mean - need) / sd
    sure = np.where(mean >= need, 1.0, 0.0)  # no spread: the mean decides
    p = np.where(sd > 1e-12, ndtr(np.where(np.isfinite(z), z, 0.0)), sure)
    return np.where(need <= 0, 1.0, np.where(m <= 0, 0.0, p))


def ferrier_probabilities(problem, selection) -> dict:
    """Per (feature, selected unit holding it): ``j``, ``k``, ``p_in``, ``p_out``, ``p_rem`` and the
    weight ``w`` of the module docstring."""
    data = problem.data
    sel = np.asarray(selection, dtype=np.float64) > 0
    t = problem.resolved_targets()
    if not np.isfinite(t).any():
        raise ScenarioError("Ferrier irreplaceability needs targets; add relative_targets(...) or use "
                            "replacement importance", "importance")
    t = np.nan_to_num(t, nan=0.0)
    if data.signed_features.any():
        raise ScenarioError("Ferrier irreplaceability needs amounts >= 0; some features have negative ones "
                            "(use replacement importance)", "importance")
    N, n = data.n_pu, int(sel.sum())
    R = sp.csr_matrix(data.rij)
    total = np.asarray(R.sum(axis=1)).ravel()
    total_sq = np.asarray(R.multiply(R).sum(axis=1)).ravel()
    coo = R.tocoo()
    keep = sel[coo.col] & (coo.data > 0)
    j, k, a = coo.row[keep], coo.col[keep], coo.data[keep]
    no = float(max(N - 1, 1))
    rest = total[j] - a
    mu = rest / no
    sigma = np.sqrt(np.clip((total_sq[j] - a * a) / no - mu * mu, 0.0, None))
    tj = t[j]
    enough = rest >= tj
    p_in = np.where(a >= tj, 1.0, _p_sum_at_least(tj - a, n - 1, no, mu, sigma))
    p_out = np.where(enough, _p_sum_at_least(tj, min(n, N - 1), no, mu, sigma), 0.0)
    p_rem = np.where(enough, _p_sum_at_least(tj, n - 1, no, mu, sigma), 0.0)
    return {"j": j, "k": k, "p_in": p_in, "p_out": p_out, "p_rem": p_rem, "w": n / N if N else 0.0}


def ferrier_importance(problem, selection) -> tuple[np.ndarray, np.ndarray]:
    """``(scores, total)``: units x features irreplaceability and its sum per unit (module
    docstring); NaN for units not selected. Needs targets (amounts >= 0)."""
    data = problem.data
    sel = np.asarray(selection, dtype=np.float64) > 0
    parts = ferrier_probabilities(problem, sel)
    w, p_in, p_out, p_rem = parts["w"], parts["p_in"], parts["p_out"], parts["p_rem"]
    den = w * p_in + (1.0 - w) * p_out
    with np.errstate(invalid="ignore", divide="ignore"):
        irr = np.where(den > 1e-15, w * (p_in - p_rem) / np.where(den > 1e-15, den, 1.0), 0.0)
    scores = np.zeros((data.n_pu, data.n_features))
    scores[parts["k"], parts["j"]] = np.clip(irr, 0.0, 1.0)
    scores[~sel] = np.nan
    return scores, np.where(sel, np.nansum(scores, axis=1), np.nan)
