"""The optimisation problem a scenario compiles to, stated in words and in maths for reports."""

from __future__ import annotations

import numpy as np

from ...problem.constraints import Budget, Coverage, GroupTarget, Linear
from ...problem.graph import Contiguity, Corridor, FeatureContiguity, Neighbours
from ...problem.penalties import BoundaryPenalty, ConnectivityPenalty, LinearPenalty, NeighbourPenalty


def formulation_text(problem) -> str:
    """Plain-text statement of the optimisation problem a Problem compiles to."""
    o = problem.objective
    lines = []
    pen = []
    for p in problem.penalties:
        if isinstance(p, BoundaryPenalty):
            pen.append(f"{p.penalty:g} * boundary(x)   [boundary(x) = {p.edge_factor:g} * exposed edges of selected "
                       "units + shared edges with one side selected]")
        elif isinstance(p, ConnectivityPenalty):
            pen.append(f"{p.penalty:g} * connectivity lost (sum D_ij x_i (1 - x_j), "
                       f"{'asymmetric' if p.asymmetric else 'symmetric'})")
        elif isinstance(p, LinearPenalty):
            pen.append(f"{p.penalty:g} * sum_i {p.name}_i x_i   [linear penalty]")
        elif isinstance(p, NeighbourPenalty):
            pen.append(f"- {p.penalty:g} * sum_(i<j adjacent) x_i x_j   [neighbour reward, {p.directions} directions]")
    if o.name == "min_set":
        lines.append("minimise   sum_i cost_i x_i" + "".join(f"\n         + {t}" for t in pen))
        lines.append("subject to sum_i amount_ij x_i >= target_j   for every feature j with a target")
    elif o.name == "max_utility":
        lines.append("maximise   sum_j w_j sum_i amount_ij x_i" + "".join(f"\n         - {t}" for t in pen))
        lines.append(f"subject to sum_i cost_i x_i <= {o.budget:g}")
    elif o.name == "min_penalties":
        lines.append("minimise   " + ("\n         + ".join(pen) if pen else "0   [no penalties: any feasible plan]"))
        lines.append(f"subject to sum_i amount_ij x_i >= target_j for every feature j with a target,  "
                     f"sum_i cost_i x_i <= {o.budget:g}")
    elif o.name == "max_cover":
        lines.append("maximise   sum_j w_j covered_j - s sum_i cost_i x_i   [s: a tie-break to the cheapest]"
                     + "".join(f"\n         - {t}" for t in pen))
        lines.append(f"subject to sum_(i: amount_ij > 0) x_i >= covered_j,  covered_j in {{0, 1}},  sum_i cost_i x_i <= "
                     f"{o.budget:g}")
    elif o.name.startswith("max_phylo"):
        weight = "length_b / total amount below b" if o.endemism else "length_b"
        lines.append(f"maximise   sum_b v_b branch_b - s sum_i cost_i x_i   [v_b = {weight}; s: a tie-break]"
                     + "".join(f"\n         - {t}" for t in pen))
        lines.append(f"subject to sum_i amount_ij x_i >= target_j met_j,  branch_b <= sum_(j below b) met_j,  "
                     f"sum_i cost_i x_i <= {o.budget:g}")
    elif o.name == "max_features_met":
        lines.append("maximise   sum_j w_j met_j - s sum_i cost_i x_i   [s: a tie-break to the cheapest]"
                     + "".join(f"\n         - {t}" for t in pen))
        lines.append(f"subject to sum_i amount_ij x_i >= target_j met_j,  met_j in {{0, 1}},  sum_i cost_i x_i <= "
                     f"{o.budget:g}")
    elif o.name == "min_largest_shortfall":
        lines.append("minimise   z" + "".join(f"\n         + {t}" for t in pen))
        lines.append(f"subject to z >= w_j shortfall_j / target_j,  shortfall_j >= target_j - sum_i amount_ij x_i,  "
                     f"sum_i cost_i x_i <= {o.budget:g}")
    else:
        lines.append("minimise   sum_j w_j shortfall_j / target_j" + "".join(f"\n         + {t}" for t in pen))
        lines.append(f"subject to shortfall_j >= target_j - sum_i amount_ij x_i,  sum_i cost_i x_i <= {o.budget:g}")
    for c in problem.constraints:
        if isinstance(c, Coverage):
            where = "the whole region" if c.by is None else ("each jurisdiction" if c.by == "jurisdiction"
                                                             else f"jurisdiction {', '.join(c.by)}")
            lines.append(f"           sum_(i in K) area_i x_i >= {c.fraction:g} * area(K)   for K = {where}")
        elif isinstance(c, Budget):
            lines.append(f"           sum_i cost_i x_i <= {c.amount:g}")
        elif isinstance(c, Linear):
            lines.append(f"           linear constraint {c.name}: g . x {c.sense} {c.rhs:g}")
        elif isinstance(c, GroupTarget):
            lines.append(f"           sum_(j in {c.name}) sum_i amount_ij x_i >= {c.amount(problem.data):g}   "
                         f"(group target over {', '.join(c.features)})")
    for c in problem.constraints:
        if isinstance(c, Contiguity):
            how = ("single-commodity flow" if c.method == "flow"
                   else "x_i <= sum_(k in S) x_k + sum_(k in W) r_k for vertex separators S and the side W of i, "
                   "root r_k <= x_k, sum_k r_k <= 1; cuts added as the LP and integer solutions need them"
                   if c.mode == "selection" else
                   "x_i <= sum_(k in S) x_k for vertex separators S between i and the locked-in units, "
                   "added as solutions need them")
            lines.append(f"           the selection is one connected network ({how})" if c.mode == "selection"
                         else f"           every part of the selection is joined to a locked-in unit ({how})")
        elif isinstance(c, FeatureContiguity):
            lines.append(f"           the selected units holding {', '.join(c.names)} form one piece each "
                         "(separator cuts within the units holding each feature)")
        elif isinstance(c, Neighbours):
            k = f"min({c.k}, deg_i)" if c.clamp else f"{c.k}"
            lines.append(f"           sum_(j in N(i)) x_j >= {k} x_i   ({c.neighbours}-neighbours of every unit i)")
        elif isinstance(c, Corridor):
            extra = f"; + {c.weight:g} * resistance of the cheapest chain in the objective" if c.weight > 0 else ""
            lines.append(f"           corridor {c.name}: a chain of selected neighbouring units joins its two areas "
                         f"(unit flow){extra}")
    d = problem.decisions
    if d.continuous:
        lines.append(f"           x_i = {d.upper:g} for locked-in units, x_i = 0 for locked-out units, x_i in "
                     f"[0, {d.upper:g}] (the managed share of unit i; penalties on shared parts min(x_i, x_j))")
    else:
        lines.append("           x_i = 1 for locked-in units, x_i = 0 for locked-out units, x_i in {0, 1}")
    if any(type(c).__name__ == "DecisionBounds" for c in problem.constraints):
        lines.append("           lower_i <= x_i <= upper_i (decision bounds per unit; locks take precedence)")
    return "\n".join(lines)


def formulation_words(problem) -> str:
    """The optimisation problem in plain words (the report shows it above the maths)."""
    o = problem.objective
    data = problem.data
    n_t = int(np.isfinite(problem.resolved_targets()).sum())
    if o.name == "min_set":
        head = f"Choose the planning units of least total cost such that each of {n_t} feature(s) reaches its target"
    elif o.name == "max_utility":
        head = f"Choose planning units costing at most {o.budget:g} that hold as much of the features as possible"
    elif o.name.startswith("max_phylo"):
        head = (f"Choose planning units costing at most {o.budget:g} such that the features meeting their targets "
                f"span as much of the phylogeny as possible ({'branch lengths per total amount: endemism' if o.endemism else 'summed branch lengths: diversity'})")
    elif o.name == "max_features_met":
        head = f"Choose planning units costing at most {o.budget:g} that meet as many of {n_t} targets as possible"
    elif o.name == "min_penalties":
        head = (f"Choose planning units costing at most {o.budget:g} such that each of {n_t} feature(s) reaches its "
                "target, with the smallest penalties")
    elif o.name == "max_cover":
        head = (f"Choose planning units costing at most {o.budget:g} in which as many of the {data.n_features} "
                "features as possible occur")
    elif o.name == "min_largest_shortfall":
        head = (f"Choose planning units costing at most {o.budget:g} that make the worst-off feature's shortfall "
                "against its target as small as possible")
    else:
        head = (f"Choose planning units costing at most {o.budget:g} that leave the smallest total shortfall "
                "against the features' targets")
    parts = [head]
    for c in problem.constraints:
        if isinstance(c, Coverage):
            where = "the whole region" if c.by is None else ("each jurisdiction" if c.by == "jurisdiction"
                                                             else ", ".join(c.by))
            parts.append(f"covering at least {c.fraction:.0%} of the area of {where}")
        elif isinstance(c, Budget):
            parts.append(f"spending at most {c.amount:g}")
        elif isinstance(c, Contiguity):
            parts.append("forming one connected network" if c.mode == "selection"
                         else "with every part joined to an existing reserve")
        elif isinstance(c, FeatureContiguity):
            parts.append(f"with the units holding {', '.join(c.names)} in one piece each")
        elif isinstance(c, Corridor):
            parts.append(f"with a corridor of selected units for {c.name}")
    n_in, n_out = int((data.status == 1).sum()), int((data.status == 2).sum())
    if n_in or n_out:
        parts.append(f"keeping {n_in:,} locked-in unit(s) and leaving out {n_out:,} locked-out unit(s)")
    pens = []
    for p in problem.penalties:
        if isinstance(p, BoundaryPenalty):
            pens.append(f"a boundary penalty of {p.penalty:g} per unit of edge length (compact areas)")
        elif isinstance(p, ConnectivityPenalty):
            pens.append(f"a penalty of {p.penalty:g} per unit of connectivity cut by the plan's edge")
        elif isinstance(p, LinearPenalty):
            pens.append(f"a penalty of {p.penalty:g} per unit of {p.name} selected")
        elif isinstance(p, NeighbourPenalty):
            pens.append(f"a reward of {p.penalty:g} per pair of neighbouring selected units (clustered plans)")
    text = "; ".join(parts) + "."
    if pens:
        text += " The objective adds " + " and ".join(pens) + "."
    return text
