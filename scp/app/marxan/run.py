"""Run a user's own Marxan executable on a project, for a side-by-side comparison.

scp never downloads or builds Marxan: the executable comes from ``--marxan-bin`` or the
``MARXAN_BIN`` environment variable. The project is copied to a temporary folder so the
user's files are untouched; Marxan's best run is read back and scored by scp.evaluate
with the same problem, so both rows of the comparison are measured the same way.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time

import numpy as np
import pandas as pd

from ...data.io.marxan import MarxanProject
from ...errors import DataError, SolverUnavailable
from ...problem.constraints import pu_positions
from ...problem.marxan import marxan_problem
from ...results import evaluate


def find_marxan(binary: str | None) -> str | None:
    """The Marxan executable to use: ``binary``, else ``$MARXAN_BIN``, else None."""
    path = binary or os.environ.get("MARXAN_BIN")
    if not path:
        return None
    found = shutil.which(path) or (path if os.path.isfile(path) else None)
    if not found or not os.access(found, os.X_OK):
        raise SolverUnavailable(f"Marxan executable {path!r} not found or not executable; "
                                "check --marxan-bin / MARXAN_BIN")
    return found


def _read_best(folder: str, scenario: str) -> pd.DataFrame:
    hits = [p for ext in ("csv", "txt", "dat") for p in glob.glob(os.path.join(folder, f"{scenario}_best.{ext}"))]
    if not hits:
        raise DataError(f"Marxan wrote no {scenario}_best file in {folder}; check SAVEBEST in input.dat")
    with open(hits[0]) as fh:
        head = fh.readline()
    sep = "," if "," in head else ("\t" if "\t" in head else r"\s+")
    df = pd.read_csv(hits[0], sep=sep, engine="python")
    return df


def run_marxan(binary: str, project: MarxanProject, timeout: float = 3600.0) -> dict:
    """Run Marxan on a copy of ``project`` and score its best solution with scp.evaluate."""
    params = project.params
    with tempfile.TemporaryDirectory(prefix="scp-marxan-") as tmp:
        indir = params.get("INPUTDIR", "input")
        shutil.copytree(os.path.join(project.folder, indir), os.path.join(tmp, indir))
        outdir = params.get("OUTPUTDIR", "output")
        os.makedirs(os.path.join(tmp, outdir), exist_ok=True)
        src = os.path.join(project.folder, "input.dat")
        with open(src, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
        sporder = params.get("MATRIXSPORDERNAME")
        if sporder and not os.path.isfile(os.path.join(project.folder, indir, sporder)):
            # Marxan 4 crashes on a named but missing species-ordered matrix; scp reads PUVSPRNAME
            lines = [ln for ln in lines if not ln.split()[:1] == ["MATRIXSPORDERNAME"]]
        with open(os.path.join(tmp, "input.dat"), "w") as fh:
            fh.write("\n".join(lines) + "\n")
        t0 = time.perf_counter()
        proc = subprocess.run([binary, "input.dat"], cwd=tmp, input="\n", capture_output=True, text=True,
                              timeout=timeout)
        runtime = time.perf_counter() - t0
        if proc.returncode != 0:
            raise SolverUnavailable(f"Marxan exited with code {proc.returncode}: {proc.stdout[-500:]}{proc.stderr[-500:]}")
        best = _read_best(os.path.join(tmp, outdir), params.get("SCENNAME", "output"))
    ids = best.iloc[:, 0].to_numpy()
    pos = pu_positions(project.data, ids.astype(project.data.ids.dtype))
    if (pos < 0).any():
        raise DataError(f"Marxan's best solution names unknown PU ids {ids[pos < 0][:5].tolist()}")
    sel = np.zeros(project.data.n_pu, dtype=bool)
    sel[pos] = best.iloc[:, 1].to_numpy() > 0
    ev = evaluate(marxan_problem(project), sel)
    held = np.array([f.held for f in ev.features])
    missed = int((held < project.misslevel * project.targets - 1e-9 * np.maximum(1, project.targets)).sum())
    boundary = ev.boundary_length or 0.0
    return {"tool": "Marxan", "score": ev.cost + project.blm * boundary, "cost": ev.cost, "boundary": boundary,
            "missed_targets": missed, "time_s": runtime, "selection": sel}
