"""Small argument checks shared by the data readers and the problem components (errors name the
YAML path, file or unit)."""

from __future__ import annotations

import numpy as np

from ..errors import ScenarioError


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
