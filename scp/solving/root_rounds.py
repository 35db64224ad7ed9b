"""LP rounds before the integer rounds of cut-based contiguity with root columns: the LP
relaxation with the rooted cuts its points violate, and connected selections guided by its
points (phase a of :mod:`scp.solving.cut_loop`; the mathematics of the cuts is in
:mod:`scp.model.root_separation`)."""

from __future__ import annotations

import time

import numpy as np

from ..model import Model
from ..model.cuts import cut_rows
from ..model.root_separation import component_cuts, flow_cuts
from .backends.highs_lp import GrowingLP
from .connect import connect
from .deadline import Deadline

ROOT_SHARE = 0.25
"""Share of the time left that LP rounds with fractional separation may take before the first
integer round (models with root columns only)."""
ROOT_STALL = 0.01
"""The LP rounds stop when three rounds together raised the bound by less than this fraction of
the gap between the bound and the best connected objective."""
JOIN_EVERY = 3
"""LP points joined into connected selections: the first and then every this many rounds."""


def root_start(model: Model) -> int | None:
    """First root column of ``model`` (cut-based contiguity of the whole selection), else None."""
    return model.cols("contiguity_root").start if "contiguity_root" in model.col_tags() else None


LP_THRESHOLDS = (0.5, 0.2)
"""The units an LP point holds above these values join the best selection in
:func:`lp_guided_join`."""


def lp_guided_join(problem, xs: np.ndarray, base: np.ndarray | None, offer, stop_at: float | None) -> None:
    """Connected selections from an LP point ``xs``: the units above each of
    :data:`LP_THRESHOLDS` (with ``base``, a selection that meets the targets) joined along chains
    that the LP favours (:func:`scp.solving.connect.connect` with ``discount=xs``) and pruned;
    each is handed to ``offer`` (which verifies it and keeps the best)."""
    for t in LP_THRESHOLDS:
        sel = xs >= t
        if base is not None:
            sel = sel | base
        joined = connect(problem, sel, stop_at=stop_at, discount=xs)
        if joined is not None:
            offer(joined)


def root_rounds(problem, model: Model, adj, deadline: Deadline, say, offer, base,
                best) -> tuple[Model, float, int, np.ndarray | None]:
    """LP rounds before the first integer round: solve the LP relaxation (one HiGHS instance,
    :class:`~scp.solving.backends.highs_lp.GrowingLP`: interior point first, then dual simplex
    from the last basis), add the rooted cuts its point violates
    (:mod:`scp.model.root_separation`), drop the cuts that stopped binding, repeat while the bound
    rises (:data:`ROOT_STALL`) within :data:`ROOT_SHARE` of the time left. Each LP point also
    gives connected selections (:func:`lp_guided_join`, joined to ``base``) for ``offer``.
    Returns the model with the cuts the LP holds at the end, the best LP bound (a valid bound:
    every cut is valid), the number of cuts added and the last LP point over the units (None
    when no LP solved)."""
    first = root_start(model)
    share = deadline.share(ROOT_SHARE)
    stop_at = None if share is None else time.perf_counter() + share
    n = model.n_pu
    bounds: list[float] = []
    n_cuts = 0
    lp = GrowingLP(model)
    point = None
    while stop_at is None or time.perf_counter() < stop_at:
        left = None if stop_at is None else stop_at - time.perf_counter()
        x, bound = lp.solve(time_limit=left)
        if np.isfinite(bound):
            bounds.append(bound)
        if x is None:
            break
        xs, rs = x[:n], x[first:first + n]
        point = xs
        if len(bounds) % JOIN_EVERY == 1:
            lp_guided_join(problem, xs, base(), offer, stop_at)
        dropped = lp.drop_slack_cuts(x)
        cuts = component_cuts(adj, xs, rs)
        cuts += flow_cuts(adj, xs, rs, stop_at=stop_at)
        say(f"LP round {len(bounds)}: bound {model.sense * max(bounds, default=-np.inf):,.6g}; "
            f"{len(cuts)} rooted cut(s) added, {dropped} dropped; best connected objective {model.sense * best():,.6g}")
        if not cuts:
            break
        lp.add_cuts(*cut_rows(cuts, model.n_cols, first))
        n_cuts += len(cuts)
        if len(bounds) > 3 and np.isfinite(bounds[-1]):
            room = best() - bounds[-1] if np.isfinite(best()) else abs(bounds[-1])
            if bounds[-1] - bounds[-4] < ROOT_STALL * max(1e-9, room):
                break
    return lp.model("contiguity_lp_cuts"), max(bounds, default=-np.inf), n_cuts, point
