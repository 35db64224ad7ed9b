"""Write a :class:`~scp.model.Model` as a free-format MPS file, vectorised.

Every line is assembled as a fixed-width byte record in numpy (zero-padded names
``C0000012`` / ``R0000345``; numbers printed once per distinct value with numpy's
shortest round-trip formatting), so writing costs a few array operations per
million nonzeros instead of a Python loop. The objective constant (``model.offset``)
is not written; callers add it to the objective the solver reports.

Layout: ``NAME scp FREE``, ``ROWS`` (``N OBJ`` then G/L/E per row), ``COLUMNS`` (every
column has an ``OBJ`` entry, integer runs between ``MARKER`` lines), ``RHS``, ``RANGES``
(rows with two finite, different bounds), ``BOUNDS`` (explicit for every column).
"""

from __future__ import annotations

from typing import BinaryIO

import numpy as np
import scipy.sparse as sp

from ...model.model import Model

CHUNK = 2_000_000


def name_width(n: int) -> int:
    """Digits needed to number ``n`` items from 0."""
    return max(1, len(str(max(n - 1, 0))))


_GROUP = np.frombuffer("".join(f"{k:04d}" for k in range(10000)).encode(), dtype=np.uint32)


def _digits(idx: np.ndarray, width: int) -> np.ndarray:
    """(k, width) uint8 matrix of zero-padded decimal digits of ``idx`` (non-negative)."""
    idx = np.asarray(idx, dtype=np.int64)
    groups = -(-width // 4)
    out = np.empty((idx.size, groups), dtype=np.uint32)
    rest = idx
    for g in range(groups - 1, -1, -1):  # four digits at a time, via a lookup table
        rest, r = np.divmod(rest, 10000)
        out[:, g] = _GROUP[r]
    return out.view(np.uint8).reshape(idx.size, 4 * groups)[:, 4 * groups - width:]


def _names(prefix: bytes, idx: np.ndarray, width: int) -> np.ndarray:
    pre = np.frombuffer(prefix, dtype=np.uint8)
    return np.hstack([np.broadcast_to(pre, (idx.size, pre.size)), _digits(idx, width)])


EXACT_LIMIT = 200_000


def _numbers(values: np.ndarray) -> np.ndarray:
    """(k, w) uint8 matrix of fixed-width decimal representations of ``values``.

    Integral values (the usual +-1, areas, counts) are printed as integers. Up to
    ``EXACT_LIMIT`` other values are printed exactly (shortest round-trip repr). Beyond
    that, scientific notation with 17 significant digits is computed arithmetically,
    with a relative error of at most one unit in the last place (about 2.2e-16), far
    below any solver's tolerances, so that no per-value string formatting is needed.
    """
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        return np.zeros((0, 1), dtype=np.uint8)
    a = np.abs(v)
    if np.all(v == np.rint(v)) and a.max() < 1e15:
        width = len(str(int(a.max())))
        sign = np.where(v < 0, ord("-"), ord(" ")).astype(np.uint8)[:, None]
        return np.hstack([sign, _digits(a.astype(np.int64), width)])
    if v.size <= EXACT_LIMIT:
        text = v.astype("S32")
        w = int(np.char.str_len(text).max())
        table = np.frombuffer(text.astype(f"S{w}").tobytes(), dtype=np.uint8).reshape(v.size, w).copy()
        table[table == 0] = ord(" ")
        return table
    nonzero = a[a > 0]
    if nonzero.size and (nonzero.min() < 1e-290 or nonzero.max() > 1e290):
        raise ValueError("coefficients outside [1e-290, 1e290] cannot be written to MPS; rescale the data")
    zero = a == 0
    safe = np.where(zero, 1.0, a)
    e = np.floor(np.log10(safe)).astype(np.int64)
    m = np.rint(safe * np.power(10.0, 16 - e))
    high = m >= 1e17
    m[high] = np.rint(m[high] / 10)
    e[high] += 1
    low = m < 1e16
    m[low] = np.rint(m[low] * 10)
    e[low] -= 1
    m[zero], e[zero] = 0, 0
    mant = _digits(m.astype(np.int64), 17)
    k = v.size
    sign = np.where(v < 0, ord("-"), ord(" ")).astype(np.uint8)[:, None]
    esign = np.where(e < 0, ord("-"), ord("+")).astype(np.uint8)[:, None]
    return np.hstack([sign, mant[:, :1], _const(b".", k), mant[:, 1:], _const(b"e", k), esign,
                      _digits(np.abs(e), 3)])


def _const(text: bytes, k: int) -> np.ndarray:
    arr = np.frombuffer(text, dtype=np.uint8)
    return np.broadcast_to(arr, (k, arr.size))


def _emit(out: BinaryIO, *fields: np.ndarray) -> None:
    k = fields[0].shape[0]
    if k == 0:
        return
    parts = []
    for f in fields:
        parts.append(f)
        parts.append(_const(b" ", k))
    parts[-1] = _const(b"\n", k)
    out.write(np.hstack(parts).tobytes())


def write_mps(model: Model, out: BinaryIO) -> None:
    """Write ``model`` (minimisation form) to the binary stream ``out``."""
    wc, wr = name_width(model.n_cols), max(2, name_width(model.n_rows))
    lo, up = model.row_lower, model.row_upper
    fin_lo, fin_up = np.isfinite(lo), np.isfinite(up)
    if (~fin_lo & ~fin_up).any():
        raise ValueError("model has free rows (both bounds infinite); they cannot be written to MPS")
    equal = fin_lo & fin_up & (lo == up)
    kind = np.where(equal, 2, np.where(fin_lo, 0, 1))  # 0 G, 1 L, 2 E
    out.write(b"NAME scp FREE\nROWS\n N OBJ\n")
    codes = np.array([b" G", b" L", b" E"])
    rows = np.arange(model.n_rows, dtype=np.int64)
    for s in range(0, model.n_rows, CHUNK):
        r = rows[s:s + CHUNK]
        typ = np.frombuffer(codes[kind[r]].astype("S2").tobytes(), dtype=np.uint8).reshape(r.size, 2)
        _emit(out, typ, _names(b"R", r, wr))

    out.write(b"COLUMNS\n")
    A = sp.csc_matrix(model.A)
    A.sort_indices()
    integer = model.integrality.astype(bool)
    # runs of equal integrality
    change = np.flatnonzero(np.diff(integer.astype(np.int8))) + 1
    starts = np.concatenate([[0], change])
    stops = np.concatenate([change, [model.n_cols]])
    for a, b in zip(starts.tolist(), stops.tolist()):
        if integer[a]:
            out.write(b" MARKER 'MARKER' 'INTORG'\n")
        for s in range(a, b, max(1, CHUNK // 8)):
            e = min(b, s + max(1, CHUNK // 8))
            # objective entry of every column, then its matrix entries, column by column
            counts = np.diff(A.indptr[s:e + 1])
            n_lines = (e - s) + int(counts.sum())
            col_of_line = np.repeat(np.arange(s, e), counts + 1)
            first = np.concatenate([[0], np.cumsum(counts + 1)[:-1]])
            is_obj = np.zeros(n_lines, dtype=bool)
            is_obj[first] = True
            row_of_line = np.zeros(n_lines, dtype=np.int64)
            row_of_line[~is_obj] = A.indices[A.indptr[s]:A.indptr[e]]
            val = np.empty(n_lines)
            val[is_obj] = model.c[s:e]
            val[~is_obj] = A.data[A.indptr[s]:A.indptr[e]]
            rname = _names(b"R", row_of_line, wr)
            objname = np.frombuffer(b"OBJ".ljust(1 + wr), dtype=np.uint8)
            rname[is_obj] = objname
            _emit(out, _const(b"   ", n_lines), _names(b"C", col_of_line, wc), rname, _numbers(val))
        if integer[a]:
            out.write(b" MARKER 'MARKER' 'INTEND'\n")

    out.write(b"RHS\n")
    rhs = np.where(kind == 1, up, lo)
    nz = np.flatnonzero(rhs != 0)
    for s in range(0, nz.size, CHUNK):
        r = nz[s:s + CHUNK]
        _emit(out, _const(b"   RHS", r.size), _names(b"R", r, wr), _numbers(rhs[r]))
    ranged = np.flatnonzero(fin_lo & fin_up & ~equal)
    if ranged.size:
        out.write(b"RANGES\n")
        _emit(out, _const(b"   RNG", ranged.size), _names(b"R", ranged, wr), _numbers(up[ranged] - lo[ranged]))

    out.write(b"BOUNDS\n")
    cl, cu = model.col_lower, model.col_upper
    cols = np.arange(model.n_cols, dtype=np.int64)
    fixed = np.isfinite(cl) & (cl == cu)
    groups = [
        (b" FX BND", fixed, cl),
        (b" MI BND", ~fixed & ~np.isfinite(cl), None),
        (b" LO BND", ~fixed & np.isfinite(cl) & (cl != 0), cl),
        (b" UP BND", ~fixed & np.isfinite(cu), cu),
        (b" PL BND", ~fixed & ~np.isfinite(cu), None),
    ]
    for code, mask, values in groups:
        idx = cols[mask]
        for s in range(0, idx.size, CHUNK):
            c = idx[s:s + CHUNK]
            fields = [_const(code, c.size), _names(b"C", c, wc)]
            if values is not None:
                fields.append(_numbers(values[c]))
            _emit(out, *fields)
    out.write(b"ENDATA\n")
