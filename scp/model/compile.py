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
from ..problem.graph import GRAPH_CONSTRAINTS
from ..problem.objectives import hard_targets
from .constraints import CONSTRAINT_FORMULATIONS, compile_locked
from .graph import GRAPH_FORMULATIONS
from .model import Model, ModelBuilder
from .objectives import OBJECTIVE_FORMULATIONS
from .pairs import PAIR_FORMULATIONS

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
    # decisions
    x = b.add_columns("x", n, lower=0.0, upper=1.0, integer=True)
    # objective
    targets = problem.resolved_targets()
    _formulation(OBJECTIVE_FORMULATIONS, problem.objective)(problem.objective, b, data, x, targets)
    # locked (data status first, then explicit locks)
    compile_locked(Locked(data.status == 1, 1), b, data, x)
    compile_locked(Locked(data.status == 2, 0), b, data, x)
    for c in problem.constraints:
        if isinstance(c, Locked):
            compile_locked(c, b, data, x)
    # penalties
    active = [p for p in problem.penalties if p.penalty > 0]
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
        if isinstance(c, GRAPH_CONSTRAINTS):
            _formulation(GRAPH_FORMULATIONS, c)(c, b, data, x, locked_in)
        elif not isinstance(c, Locked):
            _formulation(CONSTRAINT_FORMULATIONS, c)(c, b, data, x)
    b.info["targets"] = targets
    return b.build()


def _formulation(table: dict, component):
    """The formulation registered for ``component``'s type (a clear error for an unknown one)."""
    try:
        return table[type(component)]
    except KeyError:
        raise TypeError(f"no formulation for {type(component).__name__}; register one in scp.model") from None
