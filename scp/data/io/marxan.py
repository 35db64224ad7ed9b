"""Read and write Marxan projects.

A Marxan project is an ``input.dat`` of free-text ``KEY value`` lines naming an input
folder (``INPUTDIR``) with:

* ``pu.dat``: ``id, cost, status[, xloc, yloc]``; status 0 free, 1 initial include
  (a starting hint for annealing: free here), 2 locked in, 3 locked out;
* ``spec.dat``: ``id, prop | target[, spf, name]``; ``prop`` is a share of the feature's
  total over all units (it takes precedence over ``target`` when > 0, as in Marxan);
* ``puvspr.dat`` (or ``MATRIXSPORDERNAME``, the same rows sorted by species):
  ``species, pu, amount``;
* ``bound.dat`` (optional): ``id1, id2, boundary``; a self pair ``(i, i)`` is i's
  exposed ("fixed") boundary.

Each file may be comma, tab or whitespace separated, independently of the others.

Boundary as Marxan counts it
----------------------------
For a selection ``S`` Marxan's boundary is ``sum_{i in S} (b_ii + sum_{j not in S} b_ij)``:
every listed pair with exactly one unit selected counts once, and the self pair of every
selected unit counts once. That is :func:`scp.boundary.boundary_length` with edge factor 1,
and Marxan's score (with all targets met) is ``cost + BLM * boundary``. The exact solver
treats targets as hard constraints, so the species penalty term (SPF x shortfall) is zero
and ``MISSLEVEL`` is used only when reporting whether a target is met.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..checks import positions
from ..planning_data import LOCKED_IN, LOCKED_OUT, PlanningData
from ...errors import DataError


@dataclass
class MarxanProject:
    """A Marxan project read from disk: its data, parameters and per-feature settings."""

    folder: str
    params: dict[str, str]
    data: PlanningData
    blm: float
    targets: np.ndarray  # absolute target per feature
    spf: np.ndarray
    feature_ids: np.ndarray
    xy: np.ndarray | None = None  # (n, 2) xloc, yloc when given
    notes: list[str] = field(default_factory=list)
    misslevel: float = 1.0  # share of a target that counts as met when reporting (input.dat MISSLEVEL)


def _param(params: dict[str, str], key: str, default: float, path: str, low: float = 0.0,
           high: float = np.inf, low_open: bool = False) -> float:
    """The number given for ``key`` in input.dat, checked to lie in its range."""
    raw = params.get(key)
    if raw is None or not raw.split():
        return default
    text = raw.split()[0]
    try:
        v = float(text)
    except ValueError:
        raise DataError(f"{path}: {key} {text!r} is not a number") from None
    if not np.isfinite(v) or v < low or v > high or (low_open and v == low):
        rng = f"{'(' if low_open else '['}{low:g}, {high:g}]" if np.isfinite(high) else f">= {low:g}"
        raise DataError(f"{path}: {key} {text} must be a finite number {'in ' + rng if np.isfinite(high) else rng}")
    return v


def _whole_ids(path: str, values: np.ndarray, what: str) -> None:
    frac = values != np.round(values)
    if frac.any():
        k = int(np.flatnonzero(frac)[0])
        raise DataError(f"{path}, line {k + 2}: {what} id {values[k]:g} is not a whole number; Marxan ids are integers")


def read_input_dat(path: str) -> dict[str, str]:
    """``KEY value`` pairs of a Marxan ``input.dat`` (other lines are comments)."""
    if not os.path.isfile(path):
        raise DataError(f"{path}: Marxan input file not found; give the folder holding input.dat or the file itself")
    params: dict[str, str] = {}
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            parts = line.split(None, 1)
            if len(parts) == 2 and parts[0].isupper() and parts[0].replace("_", "").isalnum():
                params[parts[0]] = parts[1].strip()
    return params


def marxan_pairs(i: np.ndarray, j: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Boundary rows as Marxan 4 reads them: a pair listed again, in either order, keeps its first
    value; repeated self rows ``(i, i)`` add up. Returns ``(i, j, length, n_repeated_pairs)``."""
    i, j, length = np.asarray(i), np.asarray(j), np.asarray(length, dtype=np.float64)
    self_rows = i == j
    lo, hi = np.minimum(i, j)[~self_rows], np.maximum(i, j)[~self_rows]
    n = int(max(i.max(initial=0), j.max(initial=0))) + 1
    _, first = np.unique(lo.astype(np.int64) * n + hi, return_index=True)
    first = np.sort(first)
    si = i[self_rows]
    units, inverse = np.unique(si, return_inverse=True)
    self_len = np.bincount(inverse, weights=length[self_rows], minlength=units.size)
    pi, pj, pl = i[~self_rows][first], j[~self_rows][first], length[~self_rows][first]
    return (np.concatenate([pi, units]), np.concatenate([pj, units]), np.concatenate([pl, self_len]),
            int(lo.size - first.size))


def _read_table(path: str, required: list[str], numeric: list[str], optional_numeric: list[str] = (),
                positional: list[str] | None = None) -> pd.DataFrame:
    if not os.path.isfile(path):
        raise DataError(f"{path}: file not found; check INPUTDIR and the *NAME entries in input.dat")
    with open(path, encoding="utf-8", errors="replace") as fh:
        header = fh.readline()
    sep = "\t" if "\t" in header else ("," if "," in header else r"\s+")
    try:
        df = pd.read_csv(path, sep=sep, engine="python" if sep == r"\s+" else "c", dtype=str,
                         skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot parse as a table ({exc})") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty; it needs a header line and one row per entry") from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    if positional:  # columns taken by position, whatever the header calls them (as Marxan does)
        if len(df.columns) < len(positional):
            raise DataError(f"{path}: needs {len(positional)} columns ({', '.join(positional)}); the header has "
                            f"{list(df.columns)}")
        df.columns = list(positional) + [f"extra_{k}" for k in range(len(df.columns) - len(positional))]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {missing}; the header has {list(df.columns)}")
    for col in list(numeric) + [c for c in optional_numeric if c in df.columns]:
        raw = df[col].str.strip()
        num = pd.to_numeric(raw, errors="coerce")
        bad = ~np.isfinite(num.to_numpy(dtype=np.float64, na_value=np.nan))
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            what = "not a number" if pd.isna(num.iloc[k]) else "not finite"
            raise DataError(f"{path}, line {k + 2}: column {col!r} has {raw.iloc[k]!r}, which is {what}")
        df[col] = num.astype(np.float64)
    return df


def _duplicates(path: str, df: pd.DataFrame, cols: list[str]) -> None:
    dup = df.duplicated(subset=cols, keep="first").to_numpy()
    if dup.any():
        k = int(np.flatnonzero(dup)[0])
        vals = ", ".join(f"{c}={df[c].iloc[k]:g}" for c in cols)
        raise DataError(f"{path}, line {k + 2}: duplicate row ({vals}); list each {'/'.join(cols)} once")


def _ids(path: str, values: np.ndarray, known: np.ndarray, what: str) -> np.ndarray:
    pos = positions(known, values)
    if (pos < 0).any():
        k = int(np.flatnonzero(pos < 0)[0])
        raise DataError(f"{path}, line {k + 2}: {what} id {values[k]:g} is not defined; add it to the "
                        f"{'pu' if what == 'planning unit' else 'spec'} file or remove the row")
    return pos


def read_marxan(path: str) -> MarxanProject:
    """Read a Marxan project from its folder (holding ``input.dat``) or its ``input.dat``."""
    input_dat = os.path.join(path, "input.dat") if os.path.isdir(path) else path
    params = read_input_dat(input_dat)
    root = os.path.dirname(os.path.abspath(input_dat))
    indir = os.path.join(root, params.get("INPUTDIR", "input"))
    name = lambda key, default: os.path.join(indir, params.get(key, default))  # noqa: E731
    notes: list[str] = []

    pu_path = name("PUNAME", "pu.dat")
    pu, ids = read_pu(pu_path, ["cost", "status", "xloc", "yloc"])
    cost = pu["cost"].to_numpy() if "cost" in pu.columns else np.ones(ids.size)
    raw_status = pu["status"].to_numpy() if "status" in pu.columns else np.zeros(ids.size)
    bad = ~np.isin(raw_status, (0, 1, 2, 3))
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise DataError(f"{pu_path}, line {k + 2}: status {raw_status[k]:g} is not 0, 1, 2 or 3")
    status = np.zeros(ids.size, dtype=np.int8)
    status[raw_status == 2] = LOCKED_IN
    status[raw_status == 3] = LOCKED_OUT
    if (raw_status == 1).any():
        notes.append(f"{int((raw_status == 1).sum())} unit(s) with status 1 (initial include) are free: "
                     "status 1 only seeds Marxan's annealing")

    spec_path = name("SPECNAME", "spec.dat")
    spec, fids, names = read_spec(spec_path)
    rij_path = matrix_path(params, indir)
    matrix = read_matrix(rij_path, ids, fids)
    bnd = None
    bound_path = name("BOUNDNAME", "bound.dat")
    if params.get("BOUNDNAME") or os.path.isfile(bound_path):
        bnd = read_bound(bound_path, ids, notes)

    targets, spf = spec_targets(spec_path, spec, matrix)
    if _param(params, "COSTTHRESH", 0.0, input_dat) != 0:
        notes.append(f"COSTTHRESH {params['COSTTHRESH']} is ignored: the exact solver has no cost threshold penalty")
    misslevel = _param(params, "MISSLEVEL", 1.0, input_dat, 0.0, 1.0, low_open=True)
    xy = pu[["xloc", "yloc"]].to_numpy() if {"xloc", "yloc"} <= set(pu.columns) else None
    try:
        data = PlanningData.from_arrays(cost=cost, features=matrix, feature_names=[str(n) for n in names],
                                        ids=ids.astype(np.int64), status=status, boundary=bnd)
    except DataError as exc:
        raise DataError(f"{root} ({os.path.basename(pu_path)}, {os.path.basename(spec_path)}, "
                        f"{os.path.basename(rij_path)}): {exc}") from None
    blm = _param(params, "BLM", 0.0, input_dat)
    return MarxanProject(folder=root, params=params, data=data, blm=blm, targets=targets, spf=spf,
                         feature_ids=fids.astype(np.int64), xy=xy, notes=notes, misslevel=misslevel)


def read_pu(pu_path: str, optional_numeric: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """``pu.dat``: the table and its unit ids (at least one unit, each id once and whole)."""
    pu = _read_table(pu_path, ["id"], ["id"], optional_numeric)
    if len(pu) == 0:
        raise DataError(f"{pu_path}: no planning units (only a header); add one row per unit")
    _duplicates(pu_path, pu, ["id"])
    ids = pu["id"].to_numpy()
    _whole_ids(pu_path, ids, "planning unit")
    return pu, ids


def read_spec(spec_path: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """``spec.dat``: the table, the feature ids and unique feature names."""
    spec = _read_table(spec_path, ["id"], ["id"], ["prop", "target", "spf"])
    if len(spec) == 0:
        raise DataError(f"{spec_path}: no features (only a header); add one row per feature")
    _duplicates(spec_path, spec, ["id"])
    _whole_ids(spec_path, spec["id"].to_numpy(), "feature")
    if "prop" not in spec.columns and "target" not in spec.columns:
        raise DataError(f"{spec_path}: needs a 'prop' or a 'target' column")
    fids = spec["id"].to_numpy()
    names = (spec["name"].astype(str).str.strip().to_numpy() if "name" in spec.columns
             else np.array([f"feature_{int(v)}" for v in fids]))
    if len(set(names.tolist())) != names.size:
        names = np.array([f"{n}_{int(i)}" for n, i in zip(names, fids)])
    return spec, fids, names


def matrix_path(params: dict[str, str], indir: str) -> str:
    """The feature-by-unit file input.dat names (``PUVSPRNAME``, else ``MATRIXSPORDERNAME``)."""
    key = "PUVSPRNAME" if "PUVSPRNAME" in params or "MATRIXSPORDERNAME" not in params else "MATRIXSPORDERNAME"
    path = os.path.join(indir, params.get(key, "puvspr.dat"))
    if not os.path.isfile(path) and "MATRIXSPORDERNAME" in params:
        path = os.path.join(indir, params.get("MATRIXSPORDERNAME", "puvspr_sporder.dat"))
    return path


def read_matrix(rij_path: str, ids: np.ndarray, fids: np.ndarray) -> sp.csr_matrix:
    """``puvspr.dat`` as a features x units matrix (amounts >= 0, each pair once)."""
    rij = _read_table(rij_path, ["species", "pu", "amount"], ["species", "pu", "amount"])
    _duplicates(rij_path, rij, ["species", "pu"])
    if (rij["amount"] < 0).any():
        k = int(np.flatnonzero((rij["amount"] < 0).to_numpy())[0])
        raise DataError(f"{rij_path}, line {k + 2}: negative amount {rij['amount'].iloc[k]:g}")
    col = _ids(rij_path, rij["pu"].to_numpy(), ids, "planning unit")
    row = _ids(rij_path, rij["species"].to_numpy(), fids, "species")
    return sp.csr_matrix((rij["amount"].to_numpy(), (row, col)), shape=(fids.size, ids.size))


def read_bound(bound_path: str, ids: np.ndarray, notes: list[str]) -> sp.csr_matrix:
    """``bound.dat`` (columns by position) as Marxan reads it (:func:`marxan_pairs`)."""
    from ..boundary import boundary_from_pairs

    b = _read_table(bound_path, [], ["id1", "id2", "boundary"], positional=["id1", "id2", "boundary"])
    i = _ids(bound_path, b["id1"].to_numpy(), ids, "planning unit")
    j = _ids(bound_path, b["id2"].to_numpy(), ids, "planning unit")
    if (b["boundary"] < 0).any():
        k = int(np.flatnonzero((b["boundary"] < 0).to_numpy())[0])
        raise DataError(f"{bound_path}, line {k + 2}: negative boundary {b['boundary'].iloc[k]:g}")
    i, j, length, repeated = marxan_pairs(i, j, b["boundary"].to_numpy())
    if repeated:
        notes.append(f"{bound_path}: {repeated} pair(s) listed again (in either order) keep their first "
                     "value, as Marxan reads them")
    return boundary_from_pairs(i, j, length, ids.size)


def spec_targets(spec_path: str, spec: pd.DataFrame, matrix: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Absolute targets (``prop`` x the feature's total when ``prop`` > 0, else ``target``) and SPFs."""
    fids = spec["id"].to_numpy()
    totals = np.asarray(matrix.sum(axis=1)).ravel()
    prop = spec["prop"].to_numpy() if "prop" in spec.columns else np.zeros(fids.size)
    absolute = spec["target"].to_numpy() if "target" in spec.columns else np.zeros(fids.size)
    if ((prop < 0) | (prop > 1)).any():
        k = int(np.flatnonzero((prop < 0) | (prop > 1))[0])
        raise DataError(f"{spec_path}, line {k + 2}: prop {prop[k]:g} is not in [0, 1]")
    spf = spec["spf"].to_numpy() if "spf" in spec.columns else np.ones(fids.size)
    return np.where(prop > 0, prop * totals, absolute), spf
