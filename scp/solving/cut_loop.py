"""Contiguity by cut generation: solve without the graph constraints, add the minimal-separator
cuts the solution violates, repeat (a generic loop for any solver).

Algorithm
---------
For the contiguity of the whole selection the model has root columns
(:func:`scp.model.graph.compile_cut_root`), and two phases come first:

a. LP rounds (:func:`scp.solving.root_rounds.root_rounds`): solve the LP relaxation (one HiGHS
   instance, hot-started after each round, :class:`~scp.solving.backends.highs_lp.GrowingLP`),
   add the rooted cuts its point violates (:mod:`scp.model.root_separation`: support components
   and nested maximum flows), drop those that stopped binding, and join the units the LP favours
   into connected selections (:func:`~scp.solving.root_rounds.lp_guided_join`), while the bound
   rises, within :data:`~scp.solving.root_rounds.ROOT_SHARE` of the time left;
b. the connectivity-keeping annealer (:mod:`scp.solving.connected_search`) improves the best
   connected selection for :data:`CONNECTED_SHARE` of the time left (also in mode
   ``"locked_in"``).
c. with root columns, the window search (:mod:`scp.solving.connected_windows`): small windows
   of adjacent units around the edge of the best connected selection re-solved exactly (with
   the window's flow rows, :mod:`scp.model.window_flow`), the rest fixed, for
   :data:`NEIGHBOURHOOD_SHARE` of the time left.

Then the integer rounds:

1. Solve the model (which holds the cuts found so far, none at first) to the requested gap;
   its bound ``z_k`` is a valid lower bound for the problem with contiguity (a relaxation), so
   the best bound is ``max_k z_k``. While more than :data:`STOP_EARLY` of the loop's time is
   left, HiGHS stops a round at its first improving solution that needs cuts (any bound it has
   reached by then is still valid).
2. If the selection satisfies every cut-based constraint it is feasible: keep it if better.
   Otherwise add, at once, the separator cuts for all its parts (:func:`scp.model.cuts.separator_cuts`,
   or with root columns one rooted cut per part, :func:`scp.model.cuts.part_root_cuts`),
   join its parts along the cheapest chains (:func:`scp.solving.connect.connect`) and keep that
   selection when :func:`scp.evaluate` confirms it feasible and better.
3. Stop when the best selection is within the gap of the best bound, or at the deadline (then
   the best verified selection so far with status ``TIME_LIMIT``); else warm-start the next
   solve from the best selection (it satisfies every cut) and go to 1.

With a solver that adds rows inside its branch-and-cut tree (``"scip"``,
:mod:`scp.solving.backends.scip`) the integer rounds are one solve instead: the cuts come as lazy
rows (:class:`ContiguityRows`) that SCIP asks for at every candidate solution (so it never
accepts a disconnected one) and at every LP point of its tree, and its bound is valid for the
problem with contiguity.

The loop ends: each round adds cuts violated by the current solution, and a finite number of
distinct separators exists.

References
----------
Carvajal et al. (2013) Operations Research 61:290-304; Fischetti et al. (2017) Mathematical
Programming Computation 9:203-229.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Callable

import numpy as np

from ..data.spatial import adjacency
from ..model import Model
from ..model.cuts import part_root_cuts, separator_cuts, cut_rows
from ..model.root_separation import component_cuts, flow_cuts
from ..problem.constraints import status_masks
from ..problem.graph import Contiguity, FeatureContiguity
from ..results import Status, evaluate
from .backends import SolveOptions, SolverResult, relative_gap
from .connect import connect, satisfied
from .connected_windows import window_search
from .root_rounds import root_rounds, root_start
from .connected_search import COLD_SECONDS, improve_connected, loaded
from .local_search import problem_arrays
from .deadline import Deadline
from .heuristic import full_start
from ..model.model import with_rows


EARLY_GAP = 0.05
"""Rounds are solved to this gap (or the requested one, if larger) while they still find cuts:
a gap-limited round still gives a valid bound and cuts, in a fraction of the time."""


PARTNERS = 20
"""Other parts each part gets a cut towards, per round (a selection with k parts would otherwise
give k (k - 1) separations)."""
EVERY_UNIT = True
"""Write each part's cuts for every unit of the part (see :func:`scp.model.cuts.separator_cuts`)..."""
EVERY_UNIT_MAX = 1_000
"""... while the selection has at most this many units; larger selections get one cut per pair of
parts (on Koytendag, 4,300 selected units x 20 partners gave 85,820 rows in one round)."""


@dataclasses.dataclass
class NeedsCuts:
    """``f(x) -> bool``: whether the selection in a column vector breaks a cut-based constraint. A
    plain object (not a closure), so that it travels to a guarded HiGHS child process."""

    problem: object
    adj: object
    n_pu: int

    def __post_init__(self) -> None:
        self.graph = cut_constraints(self.problem)
        self.locked_in = status_masks(self.problem.data, self.problem.constraints)[0]

    def __call__(self, x: np.ndarray) -> bool:
        sel = np.asarray(x)[: self.n_pu] > 0.5
        return not satisfied(self.problem.data, self.adj, self.graph, sel, self.locked_in)


TREE_FLOWS = 40
"""Maximum flows per LP point inside a solver's tree (:class:`ContiguityRows`)."""


class ContiguityRows:
    """The cut-based graph constraints of ``problem`` as lazy rows
    (:class:`scp.solving.backends.scip.LazyRows`) for a solver that adds them inside its tree:
    integer points get the cuts of :func:`violated_cuts`, LP points (with root columns) the
    rooted cuts of :mod:`scp.model.root_separation` (at most :data:`TREE_FLOWS` flows)."""

    def __init__(self, problem, adj, model: Model) -> None:
        self.problem, self.adj = problem, adj
        self.n_pu, self.n_cols, self.first = model.n_pu, model.n_cols, root_start(model)
        roots = np.arange(0) if self.first is None else np.arange(self.first, self.first + self.n_pu)
        self.columns = np.concatenate([np.arange(self.n_pu), roots])

    def integer(self, x: np.ndarray):
        cuts = violated_cuts(self.problem, np.asarray(x)[: self.n_pu] > 0.5, self.adj, rooted=self.first is not None)
        return cut_rows(cuts, self.n_cols, self.first)

    def fractional(self, x: np.ndarray):
        if self.first is None:
            return cut_rows([], self.n_cols)
        xs = np.clip(np.asarray(x)[: self.n_pu], 0.0, 1.0)
        rs = np.clip(np.asarray(x)[self.first:self.first + self.n_pu], 0.0, 1.0)
        cuts = component_cuts(self.adj, xs, rs) + flow_cuts(self.adj, xs, rs, max_units=TREE_FLOWS, nested=2)
        return cut_rows(cuts, self.n_cols, self.first)


def cut_constraints(problem) -> list:
    """The graph constraints of ``problem`` that the cut loop enforces."""
    return [c for c in problem.constraints if isinstance(c, FeatureContiguity)
            or (isinstance(c, Contiguity) and c.method == "cuts")]


def without_cuts(problem):
    """``problem`` without the constraints the cut loop enforces (:func:`cut_constraints`)."""
    enforced = cut_constraints(problem)
    return dataclasses.replace(problem, constraints=tuple(c for c in problem.constraints if c not in enforced))


def violated_cuts(problem, selection: np.ndarray, adj=None, stop_at: float | None = None,
                  rooted: bool = False) -> list:
    """Separator cuts that ``selection`` violates, for all cut-based constraints: every part gets
    cuts towards at most :data:`PARTNERS` other parts, or with ``rooted`` (the model has root
    columns) one rooted part cut each for the contiguity of the whole selection; ``stop_at`` ends
    the separation early (at least one cut per violated constraint is always returned)."""
    data = problem.data
    adj = adjacency(data) if adj is None else adj
    locked_in, _ = status_masks(data, problem.constraints)
    sel = np.asarray(selection, dtype=bool)
    every_unit = EVERY_UNIT and int(sel.sum()) <= EVERY_UNIT_MAX
    cuts = []
    for c in cut_constraints(problem):
        if isinstance(c, Contiguity) and c.mode == "selection" and rooted:
            cuts += part_root_cuts(adj, sel, every_unit=every_unit)
        elif isinstance(c, Contiguity):
            cuts += separator_cuts(adj, sel, roots=locked_in if c.mode == "locked_in" else None,
                                   every_unit=every_unit, pairs_per_part=PARTNERS, stop_at=stop_at)
        else:
            for k in range(len(c.features)):
                cuts += separator_cuts(adj, sel, allowed=c.holders(data, k), every_unit=every_unit,
                                       pairs_per_part=PARTNERS, stop_at=stop_at)
    return cuts


STOP_EARLY = 0.5
"""Integer rounds stop at their first solution that needs cuts (HiGHS) while more than this share
of the loop's time is left (always without a time limit): many short rounds find the cuts that
matter sooner; the later rounds run to their gap, for a stronger bound at the deadline."""
CONNECTED_SHARE = 0.3
"""Share of the time left for the connected local search before the integer rounds (with no time
limit: :data:`CONNECTED_SECONDS`)."""
CONNECTED_SECONDS = 10.0
NEIGHBOURHOOD_SHARE = 0.7
"""Share of the time left for the window search (:mod:`scp.solving.connected_windows`) after the
connected local search (with no time limit: :data:`NEIGHBOURHOOD_SECONDS`); the integer rounds
of the whole model get the rest (on Koytendag as one network their bound rises most in their
first minute: 11,382.2 to 11,384.5 in 80 s, 11,385.8 after 200 s)."""
NEIGHBOURHOOD_SECONDS, NEIGHBOURHOOD_MIN_SECONDS = 60.0, 5.0  # skipped below 5 s: each solve sets up a sub-MIP


def connected_search(problem, adj, start, offer, deadline: Deadline, threads: int | None) -> int:
    """Improve the connected selection ``start`` with :func:`scp.solving.connected_search.improve_connected`
    when the problem suits it (contiguity of the whole selection or to the locked-in units, no
    feature contiguity, a minimum-set problem the local search handles); returns its rounds."""
    if start is None or any(isinstance(c, FeatureContiguity) for c in problem.constraints):
        return 0
    arr = problem_arrays(without_cuts(problem))
    if arr is None:
        return 0
    share = deadline.share(CONNECTED_SHARE)
    if share is not None and share < COLD_SECONDS and not loaded():
        return 0  # loading the compiled loops could overrun the deadline
    stop_at = time.perf_counter() + (CONNECTED_SECONDS if share is None else share)
    return improve_connected(arr, adj, start, offer, stop_at, threads=threads,
                             rejoin=lambda sel: connect(problem, sel, stop_at=stop_at))


def solve_with_cuts(problem, model: Model, exact: Callable[[Model, object, SolveOptions], SolverResult],
                    options: SolveOptions, deadline: Deadline, warm_start=None, announce=None,
                    in_tree: bool = False) -> SolverResult:
    """The loop of the module docstring; ``exact(model, warm_start, options)`` solves one round.
    With ``in_tree`` (a solver that adds rows inside its branch-and-cut tree, ``"scip"``) the
    integer rounds are one solve that gets the cuts as lazy rows (:class:`ContiguityRows`)."""
    say = announce or (lambda text: None)
    adj = adjacency(problem.data)
    t0 = time.perf_counter()
    best_sel, best_obj = None, np.inf
    if warm_start is not None:
        sel = np.asarray(warm_start, dtype=bool)
        ev = evaluate(problem, sel)
        if ev.feasible:
            best_sel, best_obj = sel, model.sense * ev.objective
    bound = -np.inf
    current = model
    rounds = n_cuts = 0
    first = root_start(model)
    point = None  # the last LP point of the root rounds: chains follow it
    needs_cuts = NeedsCuts(problem, adj, model.n_pu)

    def offer(sel: np.ndarray) -> bool:
        nonlocal best_sel, best_obj
        ev = evaluate(problem, sel)
        obj = model.sense * ev.objective
        if ev.feasible and (best_sel is None or obj < best_obj - 1e-9 * max(1.0, abs(best_obj))):
            best_sel, best_obj = sel, obj
            return True
        return False

    if first is not None:
        current, bound, n_cuts, point = root_rounds(problem, model, adj, deadline, say, offer,
                                                     lambda: best_sel, lambda: best_obj)
    searched = connected_search(problem, adj, best_sel, offer, deadline, options.threads)
    if searched:
        say(f"connected local search ({searched} round(s)): best connected objective {model.sense * best_obj:,.6g}")
    share = deadline.share(NEIGHBOURHOOD_SHARE)
    if first is not None and best_sel is not None and (share is None or share >= NEIGHBOURHOOD_MIN_SECONDS):
        current, _, found = window_search(
            current, adj, lambda: (best_sel, model.sense * best_obj), offer,
            exact, options, lambda sel: violated_cuts(problem, sel, adj, stop_at=deadline.at, rooted=True),
            lambda sel: connect(problem, sel, stop_at=deadline.at, discount=point), needs_cuts, first,
            time.perf_counter() + (NEIGHBOURHOOD_SECONDS if share is None else share), say,
            enough=lambda objective: relative_gap(objective, bound) <= options.gap)
        n_cuts += found
    round_gap = EARLY_GAP
    last: SolverResult | None = None
    budget = deadline.remaining()
    # a plan within the requested gap of the bound of the LP rounds needs no integer round
    done = best_sel is not None and relative_gap(best_obj, bound) <= options.gap
    if in_tree and not done:
        left = deadline.remaining()
        opts = dataclasses.replace(options, time_limit=left, lazy=ContiguityRows(problem, adj, current))
        last = exact(current, best_sel, opts)
        rounds = 1
        if last.status in (Status.INFEASIBLE, Status.UNBOUNDED, Status.ERROR) and best_sel is None:
            return last
        if last.x is not None and not needs_cuts(last.x):
            offer(last.x[: model.n_pu] > 0.5)
        if np.isfinite(last.bound) and abs(last.bound) < 1e300:
            bound = max(bound, float(last.bound))  # valid: no point violating a lazy row is accepted
        gap = relative_gap(best_obj, bound) if best_sel is not None else np.inf
        say(f"branch and cut (cuts inside the tree): best connected objective {model.sense * best_obj:,.6g}; "
            f"bound {model.sense * bound:,.6g}; gap {gap:.3%}")
    while not in_tree and not done:
        left = deadline.remaining()
        if left is not None and left <= 0.05:
            break
        opts = dataclasses.replace(options, time_limit=None if left is None else max(0.1, left),
                                   gap=max(options.gap, round_gap),
                                   stop_on_solution=needs_cuts if left is None or left > STOP_EARLY * budget else None)
        res = exact(current, best_sel, opts)
        last = res
        rounds += 1
        if np.isfinite(res.bound) and abs(res.bound) < 1e300 and res.x is not None:
            bound = max(bound, float(res.bound))
        if res.status in (Status.INFEASIBLE, Status.UNBOUNDED, Status.ERROR) and best_sel is None:
            return res
        if res.x is None:
            break  # stopped before a solution of this round: keep the best so far
        sel = res.x[: model.n_pu] > 0.5
        cuts = violated_cuts(problem, sel, adj, stop_at=deadline.at, rooted=first is not None)
        if not cuts:
            offer(sel)
            if res.status in (Status.OPTIMAL, Status.WITHIN_GAP):
                bound = max(bound, float(res.bound))
        else:
            joined = connect(problem, sel, stop_at=deadline.at, discount=point)
            if joined is not None:
                offer(joined)
            A, rhs = cut_rows(cuts, current.n_cols, first)
            current = with_rows(current, f"contiguity_cuts:{rounds}", A, -np.inf, rhs)
            n_cuts += len(cuts)
        gap = relative_gap(best_obj, bound) if best_sel is not None else np.inf
        say(f"cut round {rounds}: {len(cuts)} cut(s) added ({n_cuts} in all); best connected objective "
            f"{model.sense * best_obj:,.6g}; bound {model.sense * bound:,.6g}; gap {gap:.3%}")
        if gap <= options.gap:
            break
        if not cuts:
            if round_gap <= options.gap:
                break
            round_gap = options.gap  # the cuts are in: now solve the last rounds to the requested gap
    runtime = time.perf_counter() - t0
    info = {"cut_rounds": rounds, "cuts": n_cuts}
    solver = f"{last.solver if last else 'highs'} + separator cuts"
    if best_sel is None:
        status = last.status if last is not None and last.status in (Status.INFEASIBLE,) else Status.NO_SOLUTION
        return SolverResult(status, None, np.nan, bound, np.inf, runtime, solver, extra=info)
    gap = relative_gap(best_obj, bound)
    status = Status.OPTIMAL if gap <= max(options.gap, 1e-9) else Status.TIME_LIMIT
    return SolverResult(status, full_start(model, best_sel.astype(np.float64)), best_obj, bound, gap, runtime,
                        solver, log=last.log if last else "", extra=info)
