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

from ..model import Model

CHUNK = 2_000_000


def name_width(n: int) -> int:
    """Digits needed to number ``n`` items from 0."""
    return max(1, len(str(max(n - 1, 0))))


def _digits(idx: np.ndarray, width: int) -> np.ndarray:
    """(k, width) uint8 matrix of zero-padded decimal digits of ``idx``."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((idx[:, None] // powers[None, :]) % 10 + ord("0")).astype(np.uint8)


def _names(prefix: bytes, idx: np.ndarray, width: int) -> np.ndarray:
    pre = np.frombuffer(prefix, dtype=np.uint8)
    return np.hstack([np.broadcast_to(pre, (idx.size, pre.size)), _digits(idx, width)])


def _numbers(values: np.ndarray) -> np.ndarray:
    """(k, w) uint8 matrix of right-space-padded shortest representations of ``values``."""
    uniq, inverse = np.unique(values, return_inverse=True)
    text = np.char.encode(uniq.astype(str), "ascii")
    w = max(1, max((len(t) for t in text.tolist()), default=1))
    table = np.frombuffer(text.astype(f"S{w}").tobytes(), dtype=np.uint8).reshape(uniq.size, w).copy()
    table[table == 0] = ord(" ")
    return table[inverse.ravel()]


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
