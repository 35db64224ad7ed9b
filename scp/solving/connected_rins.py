"""Relaxation-induced neighbourhood search for connected selections: the cut loop on the units
where the LP point (with rooted cuts) and the best connected selection disagree, every other
unit fixed (a primal heuristic of :mod:`scp.solving.cut_loop`).

Formulation
-----------
With the last LP point ``x*`` of the root rounds (the LP relaxation with the rooted cuts found)
and the best connected selection ``x^C``, the sub-model is the model with its cuts and the extra
bounds

``x_i = x^C_i  for every unit with |x*_i - x^C_i| <= FIX_TOL``,

the other units, the root columns and the penalty columns left free. Its integer solutions are
made connected as in the cut loop: solve (stopping at the first solution that breaks contiguity),
add the cuts that solution violates (:func:`scp.solving.cut_loop.violated_cuts`, valid for the
whole problem), join its parts along the cheapest chains (:func:`scp.solving.connect.connect`,
guided by ``x*``) and offer the joined selection; a solution that needs no cuts is offered as it
is. Every offered selection is verified by :func:`scp.evaluate` (``offer``). After an improvement
the neighbourhood is centred on the new best selection; the search ends at ``stop_at``, when a
neighbourhood's sub-model is solved without a better connected selection, or when one would free
more than :data:`MAX_FREE_SHARE` of the units. The sub-model's bounds hold only for the
neighbourhood and are never reported; the cuts found are valid for the problem and go back to the
caller's model.

Why: on the Koytendag case as one network (12,719 units) the integer rounds of the whole model
found no connected selection better than the connected local search's in 250 s, while this
search, freeing 970 units (``FIX_TOL`` 0.3), improved 11,540.5 to 11,528.8 in 60 s (measured
offline on this project's 2-core machine; the neighbourhood's own bound, from SCIP, 11,462.7).
In the scenario's 600 s run: 11,534.6 within 1.43% (the code before it, run
on the same machine the same day: 11,541.3 within 1.45%). On the
contiguity benchmark's random grids at 60 s (``benchmarks/bench_contiguity.py``, the previous
run on the same machine in brackets), HiGHS loop / SCIP: 10x10 proven in 27 s (35) / 17 s (18);
15x15 117.7 (120.6) both; 20x20 178.3 (177.4) / 177.5 (193.2); 30x30 420.5 (444.7) / 422.0
(434.1); 50x50 1,218.1 (1,253.0) / 1,253.0 (1,253.0); 100x100 4,761.5 (4,776.3) / 4,812.9
(4,739.2, worse: the search takes time from SCIP's branch and cut).

Other neighbourhoods measured on Koytendag from the same connected plan (11,540.3, 150 s each,
one after the other): these LP neighbourhoods 11,523.3; windows of 1,500 units grown breadth-first
from a random unit on the plan's edge, 40 s each, 11,536.1; the LP neighbourhood widened by one
step of adjacency (2,221 units free) no improvement; each joined plan improved by the
connectivity-keeping annealer for 1-3 s before it is offered, 11,530.2-11,532.8 (the annealing
time is taken from the sub-MIPs); 30 s per neighbourhood, then a larger ``FIX_TOL`` (0.3 to 0.75)
when it found nothing, 11,532.3.

Reference
---------
Danna, Rothberg & Le Pape (2005) Mathematical Programming 102:71-90 (relaxation induced
neighbourhoods); the cut loop of :mod:`scp.solving.cut_loop` (Fischetti et al. 2017).
"""

from __future__ import annotations

import dataclasses
import time
from typing import Callable

import numpy as np

from ..model import Model
from ..model.cuts import cut_rows
from ..model.model import with_rows
from .backends import SolveOptions, SolverResult, Status
from .rins import neighbourhood_model

FIX_TOL = 0.3
"""A unit whose LP value is within this of the best connected selection's 0/1 value is fixed
(on Koytendag as one network: 1e-6 freed 2,622 units, whose rounds found no better connected
selection in 120 s; 0.3 freed 970 and found two in 60 s)."""
MAX_FREE_SHARE = 0.5
"""A neighbourhood freeing more than this share of the units is not searched (no smaller than
the problem)."""
SUB_GAP = 1e-4
"""Gap of each sub-model solve (its bound holds only for the neighbourhood)."""


def connected_neighbourhood_search(problem, model: Model, point: np.ndarray,
                                   best: Callable[[], tuple[np.ndarray, float]],
                                   offer: Callable[[np.ndarray], bool],
                                   exact: Callable[[Model, object, SolveOptions], SolverResult],
                                   options: SolveOptions, separate: Callable[[np.ndarray], list],
                                   join: Callable[[np.ndarray], np.ndarray | None], needs_cuts,
                                   root_start: int | None, stop_at: float,
                                   say: Callable[[str], None] = lambda text: None) -> tuple[Model, int, int]:
    """The search of the module docstring from the best connected selection; ``best()`` gives it
    and its objective (as :func:`scp.evaluate` reported it to ``offer``);
    ``separate(selection)`` gives the cuts a selection violates, ``join(selection)`` a connected
    selection or None, ``needs_cuts(x)`` whether a solution breaks contiguity. Returns
    ``(model with the cuts found, rounds, cuts found)``."""
    n = model.n_pu
    rounds = n_cuts = neighbourhoods = 0
    cuts_model = model
    sub_options = dataclasses.replace(options, gap=SUB_GAP, progress=None)
    while time.perf_counter() < stop_at - 1.0:
        centre = np.asarray(best()[0], dtype=bool)
        sub, free = neighbourhood_model(cuts_model, point, centre, FIX_TOL)
        if free == 0 or free > MAX_FREE_SHARE * n:
            break
        neighbourhoods += 1
        say(f"connected neighbourhood search {neighbourhoods}: {free:,} of {n:,} units free "
            "(where the LP point and the best connected selection differ), the rest fixed")
        improved = exhausted = False
        while not improved and time.perf_counter() < stop_at - 1.0:
            left = stop_at - time.perf_counter()
            res = exact(sub, centre, dataclasses.replace(sub_options, time_limit=left, deadline_at=stop_at,
                                                         stop_on_solution=needs_cuts))
            rounds += 1
            if res.x is None:
                exhausted = res.status is not Status.TIME_LIMIT  # nothing better in the neighbourhood
                break
            sel = res.x[:n] > 0.5
            cuts = separate(sel)
            if not cuts:  # the solver ended (solved or out of time) with a connected selection
                improved = offer(sel)
                exhausted = not improved
                break
            joined = join(sel)
            improved = joined is not None and offer(joined)
            A, rhs = cut_rows(cuts, cuts_model.n_cols, root_start)
            cuts_model = with_rows(cuts_model, f"neighbourhood_cuts:{rounds}", A, -np.inf, rhs)
            sub = dataclasses.replace(cuts_model, col_lower=sub.col_lower, col_upper=sub.col_upper)
            n_cuts += len(cuts)
        if improved:
            say(f"connected neighbourhood search {neighbourhoods}: best connected objective "
                f"{best()[1]:,.6g}")
        elif exhausted or time.perf_counter() >= stop_at - 1.0:
            break
    return cuts_model, rounds, n_cuts
