"""Planning data from pandas tables (long format, as Marxan and prioritizr use).

* ``pu``: one row per PU with columns ``id``, ``cost`` and optionally ``area``,
  ``jurisdiction``, ``status`` (0 free, 1 locked in, 2 locked out), ``locked_in``, ``locked_out``.
* ``rij``: long table with columns ``pu`` (PU id), ``feature`` (name) and ``amount``.
* ``boundary``: optional edge list ``id1``, ``id2``, ``boundary`` (self pairs = exposed edge).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp

from ...errors import DataError
from ..boundary import boundary_from_pairs
from ..checks import positions


def _require(df, name: str, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(f"{name} table: missing column(s) {missing}; it has {list(df.columns)}")


def _positions(ids: np.ndarray, values: np.ndarray, what: str) -> np.ndarray:
    pos = positions(ids, values)
    if (pos < 0).any():
        bad = np.unique(values[pos < 0])[:5].tolist()
        raise DataError(f"{what}: PU id(s) {bad} are not in the PU table; add them to the PU table or drop those rows")
    return pos


def _numbers(column, what: str) -> np.ndarray:
    """A column as float64, or a :class:`DataError` naming the first value that is not a number."""
    import pandas as pd

    values = pd.to_numeric(column, errors="coerce")
    bad = np.flatnonzero(values.isna().to_numpy() & column.notna().to_numpy())
    if bad.size:
        k = int(bad[0])
        raise DataError(f"{what} has {column.iloc[k]!r} in row {k + 1}, which is not a number")
    return values.to_numpy(dtype=np.float64)


def table_arrays(pu, rij, boundary=None, features: Sequence[str] | None = None) -> dict:
    """The keyword arguments of :meth:`PlanningData.from_arrays` for the tables described in the
    module docstring (:meth:`PlanningData.from_tables` builds the data from them).

    ``features`` fixes the feature order (and allows features absent from ``rij``);
    by default the features appear in order of first occurrence in ``rij``.
    """
    _require(pu, "pu", ["id", "cost"])
    _require(rij, "rij", ["pu", "feature", "amount"])
    ids = pu["id"].to_numpy()
    col = _positions(ids, rij["pu"].to_numpy(), "rij table")
    names_raw = rij["feature"].astype(str).str.strip().to_numpy()
    empty = np.flatnonzero((names_raw == "") | rij["feature"].isna().to_numpy())
    if empty.size:
        raise DataError(f"rij table, row {int(empty[0]) + 1}: empty feature name; give every row a feature name")
    if features is None:
        _, first = np.unique(names_raw, return_index=True)
        features = [str(names_raw[i]) for i in sorted(first)]
    features = [str(f) for f in features]
    lookup = {f: k for k, f in enumerate(features)}
    uniq, inv = np.unique(names_raw, return_inverse=True)
    unknown = [u for u in uniq.tolist() if u not in lookup]
    if unknown:
        raise DataError(f"rij table: feature(s) {unknown[:5]} are not in the feature list")
    row = np.array([lookup[u] for u in uniq.tolist()], dtype=np.int64)[inv.ravel()]
    amount = _numbers(rij["amount"], "rij table: column 'amount'")
    if not np.isfinite(amount).all():
        raise DataError("rij table: column 'amount' has NaN or infinite values")
    if (amount < 0).any():
        raise DataError("rij table: column 'amount' has negative values; amounts must be >= 0")
    key = row * ids.size + col
    if np.unique(key).size != key.size:
        raise DataError("rij table: duplicate (pu, feature) rows; list each pair once")
    matrix = sp.csr_matrix((amount, (row, col)), shape=(len(features), ids.size))
    bnd = None
    if boundary is not None:
        _require(boundary, "boundary", ["id1", "id2", "boundary"])
        i = _positions(ids, boundary["id1"].to_numpy(), "boundary table")
        j = _positions(ids, boundary["id2"].to_numpy(), "boundary table")
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        pair = lo * ids.size + hi
        if np.unique(pair).size != pair.size:
            raise DataError("boundary table: the same pair of PUs is listed more than once")
        length = _numbers(boundary["boundary"], "boundary table: column 'boundary'")
        if not np.isfinite(length).all() or (length < 0).any():
            raise DataError("boundary table: column 'boundary' must hold finite values >= 0")
        bnd = boundary_from_pairs(i, j, length, ids.size)
    opt = {k: pu[k].to_numpy() for k in ("area", "jurisdiction", "status") if k in pu.columns}
    for k in ("locked_in", "locked_out"):
        if k in pu.columns:
            opt[k] = pu[k].to_numpy().astype(bool)
    return dict(cost=pu["cost"].to_numpy(), features=matrix, feature_names=features, ids=ids,
                boundary=bnd, **opt)
