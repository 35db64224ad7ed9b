"""A solved selection with its provenance and its verified evaluation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .evaluate import Evaluation
from .status import Status

if TYPE_CHECKING:  # pragma: no cover
    from ..problem.problem import Problem


def versions() -> dict[str, str]:
    """Versions of scp and the packages that determine a result."""
    import importlib.metadata as md

    out = {}
    for pkg in ("scp", "numpy", "scipy", "highspy", "pyscipopt", "pulp", "xarray"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


@dataclass
class Solution:
    """Result of :meth:`scp.Problem.solve`.

    Attributes
    ----------
    selection: (n,) bool, the selected PUs.
    status: solver outcome (:class:`~scp.solvers.base.Status`).
    objective: objective recomputed from the selection by :func:`scp.evaluate` (problem's sense).
    solver_objective: the objective the solver reported (problem's sense).
    bound: best proven bound (problem's sense); gap: relative gap between the two.
    evaluation: the full :class:`~scp.evaluate.Evaluation` of the selection.
    """

    problem: "Problem"
    selection: np.ndarray
    status: Status
    objective: float
    solver_objective: float
    bound: float
    gap: float
    runtime: float
    build_time: float
    compile_time: float
    solver: str
    evaluation: Evaluation
    model_digest: str
    log: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def cost(self) -> float:
        return self.evaluation.cost

    @property
    def shares(self) -> np.ndarray:
        """The decisions as numbers: the managed share of each unit (0/1 for binary decisions)."""
        ev = self.evaluation
        return ev.shares if ev.shares is not None else self.selection.astype(np.float64)

    def to_xarray(self):
        """Selection on the original grid: 1 selected, 0 not selected (the share for continuous
        decisions), NaN outside the PUs."""
        return self.problem.data.to_grid(self.shares, name="selected")

    def to_frame(self):
        """Table with one row per PU: id, selected, cost, status, jurisdiction."""
        import pandas as pd

        d = self.problem.data
        cols = {"id": d.ids, "selected": self.selection.astype(np.int8), "cost": d.cost,
                "area": d.area, "status": d.status}
        if self.evaluation.shares is not None:
            cols["share"] = self.evaluation.shares
        if d.jurisdiction is not None:
            cols["jurisdiction"] = d.jurisdiction
        return pd.DataFrame(cols)

    def summary(self) -> dict:
        """JSON-ready summary of the result and its provenance."""
        ev = self.evaluation
        return {
            "status": self.status.value,
            "objective": self.objective,
            "solver_objective": self.solver_objective,
            "bound": self.bound,
            "gap": self.gap,
            "cost": ev.cost,
            "n_selected": ev.n_selected,
            "decisions": self.problem.decisions.kind,
            "area_selected": ev.area_selected,
            "coverage": {"total": ev.coverage, **ev.coverage_by_jurisdiction},
            "targets_met": ev.targets_met,
            "n_targets_missed": ev.n_targets_missed,
            "boundary_length": ev.boundary_length,
            "n_patches": ev.n_patches,
            "patches": {"n": ev.n_patches,
                        "largest_area": float(ev.patch_areas[0]) if ev.n_patches else 0.0,
                        "mean_area": float(ev.patch_areas.mean()) if ev.n_patches else 0.0,
                        "areas_largest_first": [float(a) for a in ev.patch_areas[:20]]},
            "penalties": ev.penalties,
            "runtime_s": self.runtime,
            "warm_start": ({k: self.extra[k] for k in ("lp_s", "heuristic_s", "heuristic_objective", "lp_bound",
                                                        "neighbourhood_s", "neighbourhood_gain") if k in self.extra}
                           if "lp_bound" in (self.extra or {}) else None),
            "compile_s": self.compile_time,
            "solver": self.solver,
            "versions": versions(),
            "model_digest": self.model_digest,
        }
