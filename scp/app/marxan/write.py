"""Write Marxan projects and Marxan-style result files.

* :func:`write_marxan_project` writes ``input.dat`` and ``input/{pu,spec,puvspr,bound}.dat``
  for a minimum-set problem (absolute targets in ``spec.dat``'s ``target`` column), so that
  reading it back gives the same problem.
* :func:`write_marxan_outputs` writes ``output_best.csv`` (``planning_unit,solution``),
  ``output_mvbest.csv`` (one row per feature: target, amount held, met, MPM) and
  ``output_sum.csv`` (score, cost, units, boundary split into in/edge/out, shortfall, MPM)
  in the layout Marxan uses.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ...problem.constraints import Locked
from ..outputs import OutputError
from ...data import LOCKED_IN, LOCKED_OUT
from ...problem.penalties import BoundaryPenalty


def _ids_numeric(ids: np.ndarray) -> np.ndarray:
    try:
        return ids.astype(np.int64)
    except (TypeError, ValueError):
        return np.arange(1, ids.size + 1)


def new_project_folder(folder: str) -> str:
    """Create ``folder/input`` for a project to be written, refusing a folder that already holds
    a project (``input.dat``, ``input/`` or ``output/``): scp never overwrites files it did not
    write. Returns the input folder."""
    taken = [n for n in ("input.dat", "input", "output") if os.path.lexists(os.path.join(folder, n))]
    if taken:
        raise OutputError(f"{folder}: already holds {', '.join(taken)}; write the project to a new or empty folder")
    indir = os.path.join(folder, "input")
    os.makedirs(indir)
    return indir


def write_marxan_project(problem, folder: str, blm: float | None = None) -> str:
    """Write ``problem`` (minimum set with targets) as a Marxan project; returns ``input.dat``'s path.

    Status is written as Marxan codes (2 locked in, 3 locked out); targets as absolute
    ``target`` values; the BLM is the boundary penalty of ``problem`` unless given.
    """
    data = problem.data
    indir = new_project_folder(folder)
    ids = _ids_numeric(data.ids)
    status = np.zeros(data.n_pu, dtype=np.int64)
    status[data.status == LOCKED_IN] = 2
    status[data.status == LOCKED_OUT] = 3
    for c in problem.constraints:
        if isinstance(c, Locked):
            status[c.mask] = 2 if c.value == 1 else 3
    pd.DataFrame({"id": ids, "cost": data.cost, "status": status}).to_csv(
        os.path.join(indir, "pu.dat"), index=False, float_format="%.17g")
    t = problem.resolved_targets()
    pd.DataFrame({"id": np.arange(1, data.n_features + 1), "target": np.nan_to_num(t, nan=0.0), "spf": 1.0,
                  "name": list(data.features)}).to_csv(os.path.join(indir, "spec.dat"), index=False,
                                                       float_format="%.17g")
    coo = data.rij.tocoo()
    order = np.lexsort((coo.row, coo.col))  # Marxan's puvspr is sorted by PU
    pd.DataFrame({"species": coo.row[order] + 1, "pu": ids[coo.col[order]], "amount": coo.data[order]}).to_csv(
        os.path.join(indir, "puvspr.dat"), index=False, float_format="%.17g")
    lines = [f"BLM {blm if blm is not None else _blm(problem):.17g}", "PROP 0", "NUMREPS 10", "NUMITNS 1000000",
             "STARTTEMP -1", "NUMTEMP 10000", "RANDSEED 1", "INPUTDIR input", "OUTPUTDIR output",
             "SPECNAME spec.dat", "PUNAME pu.dat", "PUVSPRNAME puvspr.dat", "SCENNAME output",
             "SAVEBEST 3", "SAVESUMMARY 3", "SAVEMISSING 3", "SAVERUN 0", "SAVESUMSOLN 3", "SAVESCEN 0",
             "SAVETARGMET 0", "SAVELOG 0", "MISSLEVEL 1", "RUNMODE 1", "ITIMPTYPE 0", "HEURTYPE -1", "VERBOSITY 1"]
    if data.boundary is not None:
        up = sp.triu(data.boundary).tocoo()
        pd.DataFrame({"id1": ids[up.row], "id2": ids[up.col], "boundary": up.data}).to_csv(
            os.path.join(indir, "bound.dat"), index=False, sep="\t", float_format="%.17g")
        lines.append("BOUNDNAME bound.dat")
    os.makedirs(os.path.join(folder, "output"), exist_ok=True)
    path = os.path.join(folder, "input.dat")
    with open(path, "w") as fh:
        fh.write("Input file written by scp (Marxan format)\n\n" + "\n".join(lines) + "\n")
    return path


def _blm(problem) -> float:
    return sum(p.penalty for p in problem.penalties if isinstance(p, BoundaryPenalty))


def boundary_parts(boundary: sp.spmatrix | None, selected: np.ndarray) -> dict[str, float]:
    """Marxan 4's split of the boundary in ``output_sum.csv``: ``total`` (every listed boundary),
    ``in`` (pairs with both units selected), ``edge`` (the selection's boundary, as in the score:
    self rows of selected units and pairs with one side selected; also ``connectivity``) and
    ``out`` (the rest: ``total - in - edge``). Checked against Marxan 4.0.6's own output on
    prioritizr's example (its best run: in 3.328e6 + edge 4.528e6 + out 1.4052e7 = total 2.1908e7)."""
    if boundary is None:
        return {k: 0.0 for k in ("total", "in", "edge", "out", "connectivity")}
    x = selected.astype(np.float64)
    B = sp.csr_matrix(boundary)
    diag = B.diagonal()
    off = sp.triu(B, k=1).tocoo()
    xi, xj = x[off.row], x[off.col]
    total = float(off.data.sum() + diag.sum())
    inside = float(off.data @ (xi * xj))
    edge = float(off.data @ (xi + xj - 2 * xi * xj)) + float(diag @ x)
    return {"total": total, "in": inside, "edge": edge, "out": total - inside - edge, "connectivity": edge}


def save_csv(df: pd.DataFrame, folder: str, name: str) -> str:
    """Write ``df`` as ``folder/name`` through a temporary file (never half a file); its path."""
    path = os.path.join(folder, name)
    df.to_csv(path + ".tmp", index=False, float_format="%.10g")
    os.replace(path + ".tmp", path)
    return path


def write_marxan_outputs(solution, folder: str, misslevel: float = 1.0, blm: float | None = None,
                         feature_ids: np.ndarray | None = None) -> list[str]:
    """Write ``output_best.csv``, ``output_mvbest.csv`` and ``output_sum.csv``; returns the paths."""
    problem = solution.problem
    data = problem.data
    ev = solution.evaluation
    sel = solution.selection
    os.makedirs(folder, exist_ok=True)
    fids = np.arange(1, data.n_features + 1) if feature_ids is None else feature_ids
    written: list[str] = []

    def save(df: pd.DataFrame, name: str) -> None:
        written.append(save_csv(df, folder, name))

    save(pd.DataFrame({"planning_unit": data.ids, "solution": sel.astype(np.int64)}), "output_best.csv")
    target = np.array([f.target if np.isfinite(f.target) else 0.0 for f in ev.features])
    held = np.array([f.held for f in ev.features])
    ratio = np.where(target > 0, held / np.where(target > 0, target, 1), 1.0)
    met = held >= misslevel * target - 1e-9 * np.maximum(1, target)
    save(pd.DataFrame({
        "Conservation Feature": fids, "Feature Name": list(data.features), "Target": target,
        "Amount Held": held, "Occurrence Target": 0,
        "Occurrences Held": np.asarray((data.rij[:, sel] > 0).sum(axis=1)).ravel(),
        "Separation Target": 0, "Separation Achieved": 0, "Target Met": np.where(met, "yes", "no"),
        "MPM": np.minimum(ratio, 1.0)}), "output_mvbest.csv")
    parts = boundary_parts(data.boundary, sel)
    b = _blm(problem) if blm is None else blm
    shortfall = float(np.maximum(target - held, 0).sum())
    save(pd.DataFrame([{
        "Run_Number": 1, "Score": ev.cost + b * parts["connectivity"], "Cost": ev.cost,
        "Planning_Units": ev.n_selected, "Connectivity": parts["connectivity"],
        "Connectivity_Total": parts["total"], "Connectivity_In": parts["in"], "Connectivity_Edge": parts["edge"],
        "Connectivity_Out": parts["out"],
        "Connectivity_In_Fraction": parts["in"] / parts["total"] if parts["total"] > 0 else 0.0,
        "Penalty": 0.0, "Shortfall": shortfall, "Missing_Values": int((~met).sum()),
        "MPM": float(np.minimum(ratio, 1.0).min()) if ratio.size else 1.0}]), "output_sum.csv")
    return written
