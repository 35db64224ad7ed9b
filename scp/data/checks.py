"""Small argument checks shared by the data readers and the problem components (errors name the
YAML path, file or unit)."""

from __future__ import annotations

from typing import Mapping

import numpy as np
import scipy.sparse as sp

from ..errors import DataError, ScenarioError


def non_negative(value, where: str, hint: str = "") -> float:
    """``float(value)`` when it is a finite number >= 0, else a :class:`ScenarioError` at ``where``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ScenarioError(f"{value!r} is not a number", where) from None
    if not np.isfinite(v) or v < 0:
        raise ScenarioError(f"{value!r} must be a finite number >= 0{hint}", where)
    return v


def positions(known: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Position of each of ``values`` in ``known`` (unique ids), ``-1`` where absent; vectorised."""
    known = np.asarray(known)
    values = np.asarray(values)
    if known.size == 0:
        return np.full(values.shape, -1, dtype=np.int64)
    order = np.argsort(known, kind="stable")
    sorted_ids = known[order]
    try:
        where = np.searchsorted(sorted_ids, values)
    except TypeError:  # ids of another type than the data's: nothing matches
        return np.full(values.shape, -1, dtype=np.int64)
    where = np.clip(where, 0, sorted_ids.size - 1)
    found = sorted_ids[where] == values
    return np.where(found, order[where], -1).astype(np.int64)


def describe_ids(ids: np.ndarray, bad: np.ndarray, limit: int = 5) -> str:
    """Up to ``limit`` of the ids where ``bad`` holds, and how many more."""
    shown = ", ".join(str(v) for v in ids[bad][:limit])
    more = int(bad.sum()) - limit
    return shown + (f" (and {more} more)" if more > 0 else "")


def unit_vector(name: str, values, n: int, ids: np.ndarray, *, allow_negative: bool = False,
                hint: str = "") -> np.ndarray:
    """``values`` as one finite number per unit (a scalar is broadcast), >= 0 unless
    ``allow_negative``; errors name ``name`` and the PU ids."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name}: expected numbers, could not convert ({exc})") from None
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    if arr.shape != (n,):
        raise DataError(f"{name}: expected {n} values (one per planning unit), got shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise DataError(
            f"{name}: {int(bad.sum())} planning unit(s) have NaN or infinite values "
            f"(PU ids {describe_ids(ids, bad)}); fill them or remove those units"
        )
    if not allow_negative:
        bad = arr < 0
        if bad.any():
            raise DataError(
                f"{name}: {int(bad.sum())} planning unit(s) have negative values "
                f"(PU ids {describe_ids(ids, bad)}); values must be >= 0{hint}"
            )
    return arr


def unit_labels(units: Mapping[str, object]) -> dict[str, str]:
    """A mapping of quantity -> unit label, checked (None entries dropped)."""
    if not isinstance(units, Mapping):
        raise DataError(f"units: expected a mapping of quantity -> unit, got {type(units).__name__}")
    out = {}
    for k, v in units.items():
        if v is None:
            continue
        if not isinstance(v, (str, int, float)) or isinstance(v, bool):
            raise DataError(f"units.{k}: expected a unit as text (e.g. 'km2'), got {v!r}")
        out[str(k)] = str(v).strip()
    return out


def square_matrix(name: str, matrix, n: int, *, symmetric: bool) -> sp.csr_matrix:
    """An (n x n) sparse matrix of finite values >= 0 (symmetric when asked), checked."""
    try:
        m = sp.csr_matrix(matrix, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name}: expected a numeric (n x n) matrix ({exc})") from None
    if m.shape != (n, n):
        raise DataError(f"{name}: expected a ({n} x {n}) matrix (one row and column per PU), got {m.shape}")
    if not np.isfinite(m.data).all():
        raise DataError(f"{name}: contains NaN or infinite values")
    if (m.data < 0).any():
        raise DataError(f"{name}: contains negative values; lengths and strengths must be >= 0")
    if symmetric:
        diff = abs(m - m.T)
        scale = max(float(abs(m).max()) if m.nnz else 0.0, 1.0)
        if diff.nnz and float(diff.max()) > 1e-9 * scale:
            raise DataError(f"{name}: must be symmetric (B[i, j] == B[j, i]); use (B + B.T) / 2 or list each pair once")
    m.eliminate_zeros()
    m.sort_indices()
    return m
