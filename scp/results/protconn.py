"""Equivalent Connected Area (ECA) and the ProtConn indicator of a selection.

Mathematical formulation (Saura et al. 2017, 2018), as computed here
--------------------------------------------------------------------
*Nodes* are the patches of the selection (connected parts, 4-neighbour adjacency), split by
jurisdiction when the data have one (a patch across a border is one node per side, at
distance 0). ``a_k`` is the area of node ``k``; ``d_kl`` the smallest edge-to-edge distance
between their units (:mod:`scp.spatial`). With median dispersal distance ``m`` the direct
dispersal probability is ``p_kl = exp(-d_kl ln 2 / m)`` (``p = 0.5`` at ``d = m``) and ``p*_kl``
the largest product of probabilities over all paths through other nodes (stepping stones),
``p*_kk = 1``. Then::

    ECA      = sqrt( sum_k sum_l a_k a_l p*_kl )
    ProtConn = 100 ECA / A_L              (A_L: area of the whole planning region)
    Prot     = 100 sum_k a_k / A_L,   ProtUnconn = Prot - ProtConn

ProtConn is split by the kind of link behind each term of the double sum (each part is
``ProtConn x its share of the sum``, so the parts add up to ProtConn): *within* (``k = l``),
*contig* (``k != l`` in the same patch: the two sides of a transboundary patch) and *unprot*
(linked across unprotected land).

For a jurisdiction ``J`` (area ``A_J``) the sum runs over its own nodes only::

    ProtConn_J          = 100 sqrt( sum_{k,l in J} a_k a_l p*_kl ) / A_J     (paths through any node)
    ProtConn_J,national = the same with p* over paths through J's nodes only
    ProtConn_J,trans    = ProtConn_J - ProtConn_J,national

so ``trans`` is the connectivity that J's protected land owes to protected land across the
border. Links with ``p < 10^-4`` (``d > 13.3 m``) are ignored.

References
----------
Saura, Bastin, Battistella, Mandrici & Dubois (2017) Ecological Indicators 76:144-158.
Saura, Bertzky, Bastin, Battistella, Mandrici & Dubois (2018) Biological Conservation
219:53-67. Saura & Pascual-Hortal (2007) Landscape and Urban Planning 83:91-103.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from ..data import PlanningData
from ..errors import ScenarioError
from ..data.spatial import distance_pairs, patches

P_MIN = 1e-4
_EPS = 1e-12  # stands for distance 0 (csgraph drops explicit zero weights)


@dataclass
class ProtConn:
    """ECA and ProtConn of a selection (see module docstring). Percentages are 0-100."""

    dispersal_distance: float
    n_nodes: int
    eca: float
    prot: float
    protconn: float
    protunconn: float
    parts: dict[str, float]  # within / contig / unprot, in ProtConn percentage points
    by_jurisdiction: dict[str, dict[str, float]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"dispersal_distance": self.dispersal_distance, "n_nodes": self.n_nodes, "eca": self.eca,
                "prot": self.prot, "protconn": self.protconn, "protunconn": self.protunconn,
                "parts": dict(self.parts), "by_jurisdiction": {k: dict(v) for k, v in self.by_jurisdiction.items()}}


def _nodes(data: PlanningData, selected: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Node of every selected unit, node areas, node patch, node jurisdiction code."""
    lab = patches(data, selected)
    sel = np.flatnonzero(lab >= 0)
    jur = np.zeros(data.n_pu, dtype=np.int64)
    if data.jurisdiction is not None:
        jur = np.searchsorted(np.asarray(data.jurisdictions), data.jurisdiction)
    key = lab[sel] * (int(jur.max()) + 1) + jur[sel]
    uniq, node = np.unique(key, return_inverse=True)
    area = np.bincount(node, weights=data.area[sel])
    n_j = int(jur.max()) + 1
    return node, area, uniq // n_j, uniq % n_j


def _pair_sum(graph: sp.csr_matrix, area: np.ndarray, members: np.ndarray, limit: float,
              same_patch: np.ndarray | None = None, chunk: int = 512) -> tuple[float, float]:
    """``sum_{k,l in members} a_k a_l p*_kl`` with p* over ``graph`` (weights -ln p), and the
    part of it from pairs ``k != l`` in the same patch (when ``same_patch`` labels are given)."""
    total = contig = 0.0
    a = area[members]
    for start in range(0, members.size, chunk):
        src = members[start: start + chunk]
        d = dijkstra(graph, directed=False, indices=src, limit=limit)[:, members]
        p = np.exp(-d)  # inf -> 0
        block = a[start: start + chunk, None] * a[None, :] * p
        total += float(block.sum())
        if same_patch is not None:
            same = same_patch[src][:, None] == same_patch[members][None, :]
            same[np.arange(src.size), np.arange(start, start + src.size)] = False
            contig += float(block[same].sum())
    return total, contig


def protconn(data: PlanningData, selected, dispersal_distance: float) -> ProtConn:
    """ECA, ProtConn and its parts (total and per jurisdiction) of a selection.

    Parameters
    ----------
    data: planning data with unit positions (grid or polygons).
    selected: boolean/0-1 vector over the PUs (the protected units).
    dispersal_distance: median dispersal distance ``m`` in map units (``p = 0.5`` at ``m``).
    """
    m = float(dispersal_distance)
    if not m > 0:
        raise ScenarioError(f"{dispersal_distance} must be > 0 (map units)", "indicators.dispersal_distance")
    sel = np.asarray(selected, dtype=bool)
    area_total = float(data.area.sum())
    node, area, node_patch, node_jur = _nodes(data, sel)
    k = area.size
    scale = np.log(2.0) / m
    limit = -np.log(P_MIN)
    units = np.flatnonzero(sel)
    if data.grid is not None and units.size:
        # the closest pair of two patches can always be found among their edge cells
        from ..data.spatial import adjacency

        inside = np.asarray(adjacency(data, 4)[units][:, units].sum(axis=1)).ravel()
        units = units[inside < 4]
    if k:
        pairs = distance_pairs(data, units, limit / scale).tocoo()
        ni, nj, d = node[pairs.row], node[pairs.col], pairs.data - 1.0
        keep = ni != nj
        ni, nj, d = ni[keep], nj[keep], d[keep]
        order = np.lexsort((d, nj, ni))  # smallest distance first within each node pair
        ni, nj, d = ni[order], nj[order], d[order]
        first = np.ones(ni.size, dtype=bool)
        first[1:] = (ni[1:] != ni[:-1]) | (nj[1:] != nj[:-1])
        w = np.maximum(d[first] * scale, _EPS)
        graph = sp.csr_matrix((w, (ni[first], nj[first])), shape=(k, k))
    else:
        graph = sp.csr_matrix((0, 0))
    everyone = np.arange(k)
    total, contig = _pair_sum(graph, area, everyone, limit, node_patch) if k else (0.0, 0.0)
    within = float(area @ area)
    eca = float(np.sqrt(total))
    pc = 100.0 * eca / area_total if area_total > 0 else 0.0
    prot = 100.0 * float(area.sum()) / area_total if area_total > 0 else 0.0
    share = (lambda v: pc * v / total) if total > 0 else (lambda v: 0.0)
    parts = {"within": share(within), "contig": share(contig), "unprot": share(total - within - contig)}
    by_j: dict[str, dict[str, float]] = {}
    if data.jurisdiction is not None:
        for code, label in enumerate(data.jurisdictions):
            a_j = float(data.area[data.jurisdiction == label].sum())
            mem = np.flatnonzero(node_jur == code)
            if a_j <= 0:
                continue
            full, _ = _pair_sum(graph, area, mem, limit) if mem.size else (0.0, 0.0)
            sub = graph[mem][:, mem] if mem.size else graph
            nat, _ = _pair_sum(sub, area[mem], np.arange(mem.size), limit) if mem.size else (0.0, 0.0)
            pc_j, pc_nat = 100.0 * np.sqrt(full) / a_j, 100.0 * np.sqrt(nat) / a_j
            by_j[label] = {"prot": 100.0 * float(area[mem].sum()) / a_j, "protconn": float(pc_j),
                           "protconn_national": float(pc_nat), "protconn_trans": float(pc_j - pc_nat)}
    return ProtConn(dispersal_distance=m, n_nodes=k, eca=eca, prot=prot, protconn=pc, protunconn=prot - pc,
                    parts=parts, by_jurisdiction=by_j)
