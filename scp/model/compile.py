"""Compile a :class:`~scp.problem.Problem` into a canonical sparse :class:`~scp.model.Model`.

Fixed order of blocks: decisions (``"x"``) -> objective -> locked (column bounds) ->
penalties (``"pair_aux"``) -> constraints (``"target"``, ``"budget"``, ``"coverage:*"``,
``"linear:*"``). Every block is a vectorised numpy/scipy.sparse construction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from ..errors import ScenarioError
from ..problem.constraints import Locked, status_masks
from ..problem.decisions import DecisionBounds, decision_range
from ..problem.graph import GRAPH_CONSTRAINTS, Contiguity
from ..problem.objectives import hard_targets
from .constraints import CONSTRAINT_FORMULATIONS, compile_locked
from .graph import GRAPH_FORMULATIONS, compile_contiguity
from .model import Model, ModelBuilder
from .objectives import OBJECTIVE_FORMULATIONS
from .pairs import PAIR_FORMULATIONS
from .presolve import necessary_units

if TYPE_CHECKING:  # pragma: no cover
    from ..problem.problem import Problem


def compile_problem(problem: "Problem", pair_formulation: str = "pairs") -> Model:
    """Build the canonical MILP of ``problem`` (see module docstring).

    ``pair_formulation`` linearises the pair products of the penalties: ``"pairs"`` (one column
    and two rows per pair, :func:`~scp.model.pairs.pair_block`) or ``"compact"`` (one column and
    two rows per unit, :func:`~scp.model.pairs.compact_pair_block`).
    """
    if pair_formulation not in PAIR_FORMULATIONS:
        raise ScenarioError(f"{pair_formulation!r} is not one of {sorted(PAIR_FORMULATIONS)}",
                            "solver.formulation")
    objective = problem.objective
    if objective.uses_targets and not problem.targets and hard_targets(objective):
        raise ScenarioError(f"a {objective.name.replace('_', ' ')} problem needs targets; add relative_targets(...) "
                            "or absolute_targets(...)", "targets")
    if not objective.uses_targets and problem.targets:
        raise ScenarioError(f"the {objective.name} objective does not use targets; remove them", "targets")
    data = problem.data
    n = data.n_pu
    b = ModelBuilder(n)
    # decisions (manual bounds first: locks take precedence)
    dec = problem.decisions
    if dec.continuous:
        _check_continuous(problem, pair_formulation)
    x = b.add_columns("x", n, lower=0.0, upper=dec.upper, integer=not dec.continuous)
    if any(isinstance(c, DecisionBounds) for c in problem.constraints):
        lo, hi = decision_range(problem)
        b.set_bounds(x, lower=lo, upper=hi)
    # objective
    targets = problem.resolved_targets()
    _formulation(OBJECTIVE_FORMULATIONS, problem.objective)(problem.objective, b, data, x, targets)
    # locked (data status first, then explicit locks)
    compile_locked(Locked(data.status == 1, 1), b, data, x, dec.upper)
    compile_locked(Locked(data.status == 2, 0), b, data, x)
    for c in problem.constraints:
        if isinstance(c, Locked):
            compile_locked(c, b, data, x, dec.upper)
    # penalties
    active = [p for p in problem.penalties if p.penalty != 0]
    if active:
        linear = np.zeros(n)
        pairs = sp.csr_matrix((n, n))
        for p in active:
            e, W = p.terms(data)
            linear += e
            pairs = pairs + W
        PAIR_FORMULATIONS[pair_formulation](b, x, linear, pairs.tocsr())
    # constraints
    if hard_targets(problem.objective):
        has = np.flatnonzero(np.isfinite(targets))
        if has.size:
            labels = tuple(data.features[j] for j in has)
            b.add_rows("target", data.rij[has], targets[has], np.inf, labels=labels)
    locked_in, _ = status_masks(data, problem.constraints)
    for c in problem.constraints:
        if isinstance(c, Contiguity):  # the root of one connected network: on a unit every plan holds
            compile_contiguity(c, b, data, x, locked_in,
                               necessary_units(problem) if c.mode == "selection" else locked_in)
        elif isinstance(c, GRAPH_CONSTRAINTS):
            _formulation(GRAPH_FORMULATIONS, c)(c, b, data, x, locked_in)
        elif not isinstance(c, (Locked, DecisionBounds)):
            _formulation(CONSTRAINT_FORMULATIONS, c)(c, b, data, x)
    b.info["targets"] = targets
    return b.build()


def _check_continuous(problem: "Problem", pair_formulation: str) -> None:
    """Continuous decisions: pair penalties on the shared part ``min(x_i, x_j)`` (the "pairs"
    linearisation) and no graph constraint (they are statements about whole units)."""
    graph = [type(c).__name__ for c in problem.constraints if isinstance(c, GRAPH_CONSTRAINTS)]
    if graph:
        raise ScenarioError(f"{', '.join(graph)} need binary decisions (a unit is in the network or not); use "
                            "binary decisions or remove them", "decisions")
    if pair_formulation != "pairs":
        raise ScenarioError("continuous decisions price penalties on min(x_i, x_j), which only the 'pairs' "
                            "formulation does; use formulation 'pairs'", "solver.formulation")
    if any(p.penalty < 0 and not hasattr(p, "values") for p in problem.penalties):
        raise ScenarioError("a negative pair penalty prices x_i x_j as max(0, x_i + x_j - 1), which differs from "
                            "the shared part of shares; use binary decisions", "decisions")


def _formulation(table: dict, component):
    """The formulation registered for ``component``'s type (a clear error for an unknown one)."""
    try:
        return table[type(component)]
    except KeyError:
        raise TypeError(f"no formulation for {type(component).__name__}; register one in scp.model") from None
