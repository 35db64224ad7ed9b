"""Row scaling by powers of two (scp.model.scaling) and its use in the HiGHS backend."""

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings, strategies as st

from scp.model.model import Model
from scp.model.scaling import original_duals, row_scale, scaled_rows
from scp.solving.backends import SolveOptions
from scp.solving.backends.highs import lp_relaxation, solve_highs


def _badly_scaled(seed: int, n: int = 12, m: int = 5) -> Model:
    """min c'x, rows with coefficients 1e-5..1e4 (a covering row per magnitude), 0 <= x <= 1."""
    rng = np.random.default_rng(seed)
    mags = 10.0 ** rng.integers(-5, 5, m)
    A = sp.csr_matrix(rng.random((m, n)) * (rng.random((m, n)) < 0.7) * mags[:, None])
    lower = 0.4 * np.asarray(A.sum(axis=1)).ravel()
    return Model(A=A, c=rng.uniform(1, 100, n) * 1e3, col_lower=np.zeros(n), col_upper=np.ones(n),
                 row_lower=lower, row_upper=np.full(m, np.inf), integrality=np.ones(n, dtype=np.int8),
                 col_blocks=(), row_blocks=(), n_pu=n, offset=0.0)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_factors_are_powers_of_two_and_exact(seed):
    rng = np.random.default_rng(seed)
    A = sp.random(6, 9, density=0.5, random_state=rng, format="csr")
    A.data *= 10.0 ** rng.uniform(-8, 8, A.data.size)
    scaled, lo, up, s = scaled_rows(A, np.full(6, 1.5), np.full(6, np.inf))
    assert np.all(np.log2(s) == np.round(np.log2(s)))  # powers of two
    back = sp.csr_matrix((scaled.data / np.repeat(s, np.diff(scaled.indptr)), scaled.indices, scaled.indptr))
    assert np.array_equal(back.data, A.data)  # bit for bit: no rounding
    assert np.array_equal(lo / s, np.full(6, 1.5)) and np.all(np.isinf(up))
    rows = np.diff(A.indptr) > 0
    largest = np.array([np.abs(scaled[r].data).max() for r in np.flatnonzero(rows)])
    assert np.all((largest >= 2 ** -0.5) & (largest <= 2 ** 0.5))


def test_empty_and_zero_rows_keep_factor_one():
    A = sp.csr_matrix(np.array([[0.0, 0.0], [0.0, 3e6]]))
    A = sp.vstack([A, sp.csr_matrix(([0.0], ([0], [1])), shape=(1, 2))], format="csr")  # stored zero
    s = row_scale(A)
    assert s[0] == 1.0 and s[2] == 1.0 and s[1] == 2.0 ** -22


def test_original_duals_rescale_only_the_scaled_rows():
    y = original_duals(np.array([1.0, 2.0, 3.0]), np.array([0.5, 4.0]))
    assert np.array_equal(y, [0.5, 8.0, 3.0])


def test_lp_bound_from_scaled_duals_is_the_lp_optimum():
    """The Lagrangian bound of the (unscaled) duals equals the LP optimum: with the duals of the
    scaled rows taken as they are, it would be far weaker on these rows (magnitudes 1e-5..1e4)."""
    for seed in range(5):
        model = _badly_scaled(seed)
        x, bound = lp_relaxation(model)
        assert x is not None
        lp = float(model.c @ x + model.offset)
        assert abs(bound - lp) <= 1e-6 * max(1.0, abs(lp))


def test_mip_on_scaled_rows_matches_enumeration():
    for seed in range(5):
        model = _badly_scaled(seed, n=10)
        res = solve_highs(model, SolveOptions(gap=0.0))
        best = np.inf
        for bits in range(1 << model.n_cols):
            x = (bits >> np.arange(model.n_cols)) & 1
            if np.all(model.A @ x >= model.row_lower * (1 - 1e-9)):
                best = min(best, float(model.c @ x))
        assert abs(res.objective - best) <= 1e-6 * best
        assert np.all(model.A @ np.round(res.x) >= model.row_lower * (1 - 1e-6))
