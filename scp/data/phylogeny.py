"""Phylogenetic trees over the features, read from Newick text.

A tree is kept as its branches: branch ``b`` has a length ``l_b`` and leads to the set of tips
``T(b)`` below it (a tip's own branch leads to itself). ``branch_matrix`` is the features x
branches 0/1 matrix of ``j in T(b)``. Phylogenetic diversity (Faith 1992) of a set of features is
the summed length of the branches leading to at least one of them; phylogenetic endemism
(Rosauer et al. 2009) weighs each branch by ``1 / a_b`` with ``a_b`` the summed total amount of the
features below it.

Newick: ``((markhor:2.5,urial:2.5):4,snow_leopard:6.5);``: nested parentheses, tip labels
(quoted with ``'`` when they hold spaces or punctuation), ``:length`` after a node (a missing
length is 0; the root's length, when given, is a branch leading to every tip), ``;`` at the end.
Internal node labels are allowed and ignored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import DataError


@dataclass(frozen=True, eq=False)
class Phylogeny:
    """Tips (feature names) and branches (lengths, and the tips below each)."""

    tips: tuple[str, ...]
    lengths: np.ndarray  # (branches,)
    below: tuple[tuple[int, ...], ...]  # per branch, the tip positions it leads to

    def branch_matrix(self, features) -> sp.csr_matrix:
        """features x branches: 1 where the feature is a tip below the branch (tips matched to the
        data's feature names; every feature must be a tip and every tip a feature)."""
        features = list(features)
        missing = sorted(set(features) - set(self.tips))
        extra = sorted(set(self.tips) - set(features))
        if missing or extra:
            raise DataError(f"the tree's tips and the features differ: features not in the tree {missing[:5]}, "
                            f"tips that are not features {extra[:5]}; the tree needs one tip per feature")
        pos = {name: k for k, name in enumerate(features)}
        rows = np.concatenate([[pos[self.tips[t]] for t in b] for b in self.below]).astype(np.int64)
        cols = np.repeat(np.arange(len(self.below)), [len(b) for b in self.below])
        return sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(len(features), len(self.below)))


def parse_newick(text: str, source: str = "tree") -> Phylogeny:
    """Parse Newick ``text`` (module docstring); errors name ``source`` and the position."""
    s = text.strip()
    if not s.endswith(";"):
        raise DataError(f"{source}: a Newick tree ends with ';'")
    s = s[:-1]
    pos = 0
    tips: list[str] = []
    lengths: list[float] = []
    below: list[tuple[int, ...]] = []

    def fail(msg: str):
        raise DataError(f"{source}, character {pos + 1}: {msg}")

    def label() -> str:
        nonlocal pos
        if pos < len(s) and s[pos] == "'":
            end = s.find("'", pos + 1)
            if end < 0:
                fail("an unclosed quote")
            out, pos = s[pos + 1:end], end + 1
            return out
        start = pos
        while pos < len(s) and s[pos] not in "(),:;":
            pos += 1
        return s[start:pos].strip()

    def length() -> float:
        nonlocal pos
        if pos < len(s) and s[pos] == ":":
            pos += 1
            start = pos
            while pos < len(s) and s[pos] not in "(),;":
                pos += 1
            try:
                v = float(s[start:pos])
            except ValueError:
                fail(f"branch length {s[start:pos]!r} is not a number")
            if not np.isfinite(v) or v < 0:
                fail(f"branch length {v} must be a finite number >= 0")
            return v
        return 0.0

    def node() -> tuple[int, ...]:
        nonlocal pos
        while pos < len(s) and s[pos].isspace():
            pos += 1
        if pos < len(s) and s[pos] == "(":
            pos += 1
            under: list[int] = []
            while True:
                child = node()
                under.extend(child)
                if pos < len(s) and s[pos] == ",":
                    pos += 1
                    continue
                if pos < len(s) and s[pos] == ")":
                    pos += 1
                    break
                fail("expected ',' or ')'")
            label()  # an internal node's label: ignored
        else:
            name = label()
            if not name:
                fail("a tip without a label")
            if name in tips:
                fail(f"tip {name!r} appears twice")
            tips.append(name)
            under = [len(tips) - 1]
        lengths.append(length())
        below.append(tuple(under))
        return tuple(under)

    node()
    if pos != len(s):
        fail(f"unexpected text {s[pos:pos + 20]!r} after the tree")
    keep = [k for k, v in enumerate(lengths) if v > 0]  # zero-length branches count for nothing
    return Phylogeny(tuple(tips), np.array([lengths[k] for k in keep]), tuple(below[k] for k in keep))


def read_phylogeny(tree) -> Phylogeny:
    """A :class:`Phylogeny` from itself, Newick text, or a path to a Newick file."""
    if isinstance(tree, Phylogeny):
        return tree
    text = str(tree)
    if not text.strip().endswith(";") and os.path.isfile(text):
        with open(text, encoding="utf-8") as fh:
            return parse_newick(fh.read(), text)
    return parse_newick(text)
