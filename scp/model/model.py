"""The canonical sparse MILP that every solver backend consumes.

.. math::

    \\min_x \\; c^\\top x + c_0 \\quad \\text{s.t.}\\quad
    r^L \\le A x \\le r^U,\\; l \\le x \\le u,\\; x_k \\in \\mathbb{Z}\\ (k \\in I)

``A`` is one CSR matrix stacked from row blocks; every contiguous block of rows and
columns carries a tag (``"x"``, ``"pair_aux"``, ``"target"``, ``"coverage:TKM"``...)
so that compile tests can assert exactly what each component produced.

Maximisation objectives are compiled as minimisation of the negated objective; the
``sense`` attribute (``+1`` minimise, ``-1`` maximise) converts back for reporting.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class Block:
    """A contiguous range ``[start, stop)`` of rows or columns with a tag and labels."""

    tag: str
    start: int
    stop: int
    labels: tuple[str, ...] | None = None

    @property
    def size(self) -> int:
        return self.stop - self.start


@dataclass(frozen=True, eq=False)
class Model:
    """Canonical MILP (see module docstring). Columns ``0..n_pu-1`` are the PU decisions."""

    c: np.ndarray
    offset: float
    A: sp.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    integrality: np.ndarray  # 1 integer, 0 continuous
    col_blocks: tuple[Block, ...]
    row_blocks: tuple[Block, ...]
    n_pu: int
    sense: int = 1
    info: dict = field(default_factory=dict)

    @property
    def n_cols(self) -> int:
        return int(self.c.shape[0])

    @property
    def n_rows(self) -> int:
        return int(self.A.shape[0])

    def rows(self, tag: str) -> slice:
        """Row slice of the block with ``tag`` (exact match)."""
        return _find(self.row_blocks, tag)

    def cols(self, tag: str) -> slice:
        """Column slice of the block with ``tag`` (exact match)."""
        return _find(self.col_blocks, tag)

    def row_tags(self) -> list[str]:
        return [b.tag for b in self.row_blocks]

    def col_tags(self) -> list[str]:
        return [b.tag for b in self.col_blocks]

    def objective_of(self, x: np.ndarray) -> float:
        """Objective value of a full column vector in the problem's own sense."""
        return self.sense * (float(self.c @ x) + self.offset)

    def digest(self) -> str:
        """SHA-256 of the model's numbers (deterministic for equal models)."""
        h = hashlib.sha256()
        for arr in (self.c, self.A.indptr, self.A.indices, self.A.data, self.row_lower,
                    self.row_upper, self.col_lower, self.col_upper, self.integrality):
            h.update(np.ascontiguousarray(arr).tobytes())
        h.update(repr((self.offset, self.sense, self.n_pu)).encode())
        return h.hexdigest()


def _find(blocks: tuple[Block, ...], tag: str) -> slice:
    for b in blocks:
        if b.tag == tag:
            return slice(b.start, b.stop)
    raise KeyError(f"no block tagged {tag!r}; blocks are {[b.tag for b in blocks]}")


class ModelBuilder:
    """Accumulates column and row blocks; :meth:`build` stacks them into a :class:`Model`.

    Row blocks are given as sparse matrices over the columns that exist when they
    are added (they are widened with empty columns when more columns follow).
    """

    def __init__(self, n_pu: int) -> None:
        self.n_pu = n_pu
        self._c: list[np.ndarray] = []
        self._lb: list[np.ndarray] = []
        self._ub: list[np.ndarray] = []
        self._int: list[np.ndarray] = []
        self._col_blocks: list[Block] = []
        self._rows: list[sp.csr_matrix] = []
        self._rlo: list[np.ndarray] = []
        self._rup: list[np.ndarray] = []
        self._row_blocks: list[Block] = []
        self.n_cols = 0
        self.n_rows = 0
        self.offset = 0.0
        self.sense = 1
        self.info: dict = {}

    def add_columns(self, tag: str, n: int, *, lower=0.0, upper=1.0, integer: bool = False,
                    cost=0.0, labels: tuple[str, ...] | None = None) -> slice:
        """Append ``n`` columns; returns their slice."""
        start = self.n_cols
        self._c.append(np.broadcast_to(np.asarray(cost, dtype=np.float64), (n,)).copy())
        self._lb.append(np.broadcast_to(np.asarray(lower, dtype=np.float64), (n,)).copy())
        self._ub.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), (n,)).copy())
        self._int.append(np.full(n, 1 if integer else 0, dtype=np.int8))
        self.n_cols += n
        self._col_blocks.append(Block(tag, start, self.n_cols, labels))
        return slice(start, self.n_cols)

    def add_cost(self, cols: slice, cost: np.ndarray) -> None:
        """Add ``cost`` to the objective coefficients of ``cols``."""
        self._locate_cost(cols.start, cols.stop, np.asarray(cost, dtype=np.float64))

    def _locate_cost(self, start: int, stop: int, cost: np.ndarray) -> None:
        pos = 0
        for k, b in enumerate(self._col_blocks):
            if b.start <= start < b.stop:
                if stop > b.stop:
                    raise ValueError("add_cost may not span column blocks")
                self._c[k][start - b.start: stop - b.start] += cost
                return
            pos = b.stop
        raise ValueError(f"columns {start}:{stop} do not exist (have {pos})")

    def set_bounds(self, cols: slice, lower=None, upper=None, where: np.ndarray | None = None) -> None:
        """Overwrite the bounds of ``cols`` (optionally only where a mask holds)."""
        for k, b in enumerate(self._col_blocks):
            if b.start == cols.start and b.stop == cols.stop:
                sel = slice(None) if where is None else where
                if lower is not None:
                    self._lb[k][sel] = lower
                if upper is not None:
                    self._ub[k][sel] = upper
                return
        raise ValueError("set_bounds needs the exact slice of one column block")

    def add_rows(self, tag: str, matrix: sp.spmatrix, lower, upper,
                 labels: tuple[str, ...] | None = None) -> slice:
        """Append rows ``lower <= matrix @ x <= upper``; ``matrix`` has <= n_cols columns."""
        m = sp.csr_matrix(matrix, dtype=np.float64)
        n = m.shape[0]
        if m.shape[1] > self.n_cols:
            raise ValueError(f"row block {tag!r} has {m.shape[1]} columns, model has {self.n_cols}")
        start = self.n_rows
        self._rows.append(m)
        self._rlo.append(np.broadcast_to(np.asarray(lower, dtype=np.float64), (n,)).copy())
        self._rup.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), (n,)).copy())
        self.n_rows += n
        self._row_blocks.append(Block(tag, start, self.n_rows, labels))
        return slice(start, self.n_rows)

    def build(self) -> Model:
        """Stack all blocks into one CSR matrix (duplicates summed, indices sorted)."""
        widened = []
        for m in self._rows:
            if m.shape[1] < self.n_cols:
                m = sp.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], self.n_cols))
            widened.append(m)
        if widened:
            A = sp.vstack(widened, format="csr")
        else:
            A = sp.csr_matrix((0, self.n_cols))
        A.sum_duplicates()
        A.sort_indices()
        cat = (lambda parts, dt: np.concatenate(parts).astype(dt) if parts else np.zeros(0, dt))
        return Model(
            c=cat(self._c, np.float64), offset=float(self.offset), A=A,
            row_lower=cat(self._rlo, np.float64), row_upper=cat(self._rup, np.float64),
            col_lower=cat(self._lb, np.float64), col_upper=cat(self._ub, np.float64),
            integrality=cat(self._int, np.int8), col_blocks=tuple(self._col_blocks),
            row_blocks=tuple(self._row_blocks), n_pu=self.n_pu, sense=self.sense, info=dict(self.info),
        )


def with_rows(model: Model, tag: str, rows: sp.spmatrix, lower, upper) -> Model:
    """A copy of ``model`` with extra rows ``lower <= rows @ x <= upper`` (tagged)."""
    rows = sp.csr_matrix(rows, shape=(rows.shape[0], model.n_cols))
    k = rows.shape[0]
    A = sp.vstack([model.A, rows], format="csr")
    lo = np.concatenate([model.row_lower, np.broadcast_to(np.asarray(lower, dtype=float), (k,))])
    up = np.concatenate([model.row_upper, np.broadcast_to(np.asarray(upper, dtype=float), (k,))])
    blocks = model.row_blocks + (Block(tag, model.n_rows, model.n_rows + k),)
    return dataclasses.replace(model, A=A, row_lower=lo, row_upper=up, row_blocks=blocks)
