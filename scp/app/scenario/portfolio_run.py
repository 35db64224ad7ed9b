"""``scplan portfolio``: near-optimal solutions, selection frequency and importance of a scenario.

Writes (atomically) ``portfolio.csv`` (one row per solution: objective, cost, boundary, distance
to the optimum), ``solutions.csv`` (PU ids x solutions, 0/1), ``frequency.csv`` and a map,
``frequency.nc`` for grid data, the rarity-weighted richness of the units of the optimal solution
and their Ferrier et al. (2000) irreplaceability when the scenario has targets (``importance.csv``,
``rarity.png``, ``ferrier.png``; no re-solve), with ``--ranks N`` their rank importance in ``N``
budget steps (``rank.png``), with ``--importance`` the replacement cost of every selected unit
(``importance.png``), every score also as a layer of ``importance.nc`` for grid data, plus
``summary.json``.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pandas as pd

from ..outputs import ResultsFolder, write_json
from .build import build_problem, load_data
from .load import LoadedScenario


def run_portfolio(loaded: LoadedScenario, n: int, gap: float, importance: bool = False, out: str | None = None,
                  overwrite: bool = False, scheduler: str | None = None, workers: int | None = None, log=None,
                  ranks: int | None = None):
    """Solve the portfolio (and importance) of a scenario; returns ``(portfolio, folder)``."""
    from ..maps import plot_values
    from ...results.ferrier import ferrier_importance
    from ...results.importance import rarity_weighted_richness
    from ...solving.portfolio import portfolio, replacement_importance
    from ...solving.rank_importance import rank_importance

    log = log or sys.stderr
    s = loaded.scenario
    out = out or os.path.join(s.outputs.dir or os.path.join("results", s.name)) + "_portfolio"
    folder = ResultsFolder(out, overwrite=overwrite, inputs=loaded.inputs)
    data, marxan = load_data(s)
    problem = build_problem(s, data, marxan)
    print(f"scenario {s.name}: portfolio of up to {n} solutions within {gap:.1%} of the optimum "
          f"({s.solver.name})", file=log, flush=True)
    port = portfolio(problem, n=n, gap=gap, solver=s.solver.name, time_limit=s.solver.time_limit,
                     threads=s.solver.threads, log=log)
    rc = None
    if importance:
        best = port.solutions[0]
        units = int((best.selection).sum())
        print(f"replacement cost of {units} selected units ...", file=log, flush=True)
        client = cluster = None
        if scheduler or (workers or 1) > 1:
            from ..sweep import _client

            client, cluster = _client(scheduler, workers)
        try:
            rc = replacement_importance(best, solver=s.solver.name, gap=0.0, time_limit=s.solver.time_limit,
                                        client=client, log=log)
        finally:
            if client is not None:
                client.close()
            if cluster is not None:
                cluster.close()
    rank = None
    if ranks:
        print(f"rank importance in {ranks} budget steps ...", file=log, flush=True)
        rank = rank_importance(problem, port.solutions[0].selection, n=ranks, solver=s.solver.name,
                               time_limit=s.solver.time_limit)
    freq = port.frequency()
    pdata = problem.data
    with folder as tmp:
        rows = [{"rank": k + 1, "objective": sol.objective, "cost": sol.evaluation.cost,
                 "above_optimum": (sol.objective - port.optimum) / abs(port.optimum) if port.optimum else 0.0,
                 "n_selected": sol.evaluation.n_selected, "boundary_length": sol.evaluation.boundary_length,
                 "n_patches": sol.evaluation.n_patches} for k, sol in enumerate(port.solutions)]
        pd.DataFrame(rows).to_csv(os.path.join(tmp, "portfolio.csv"), index=False, float_format="%.10g")
        sols = pd.DataFrame(port.selections.T.astype(np.int8), columns=[f"solution_{k + 1}" for k in range(len(rows))])
        sols.insert(0, "id", pdata.ids)
        sols.to_csv(os.path.join(tmp, "solutions.csv"), index=False)
        pd.DataFrame({"id": pdata.ids, "frequency": freq}).to_csv(os.path.join(tmp, "frequency.csv"), index=False)
        xy = marxan.xy if marxan is not None else None
        plot_values(pdata, freq, os.path.join(tmp, "frequency.png"),
                    f"{s.name}: selection frequency over {len(rows)} solutions within {gap:.1%}",
                    "share of solutions", cmap="YlGn", xy=xy)
        if pdata.grid is not None:
            pdata.to_grid(freq, name="frequency").to_dataset().to_netcdf(os.path.join(tmp, "frequency.nc"))
        summary = {"scenario": s.name, "n_requested": n, "n_found": len(rows), "gap": gap,
                   "optimum": port.optimum, "solutions": rows}
        rwr = rarity_weighted_richness(pdata, port.solutions[0].selection)
        table = {"id": pdata.ids, "rarity_weighted_richness": rwr}
        plot_values(pdata, rwr, os.path.join(tmp, "rarity.png"),
                    f"{s.name}: rarity-weighted richness of each selected unit (rescaled 0.01-1)",
                    "rarity-weighted richness", cmap="YlOrRd", xy=xy)
        summary["rarity_weighted_richness"] = {"units": int(np.isfinite(rwr).sum()),
                                               "method": "Williams et al. 1996, rescaled to [0.01, 1]"}
        if np.isfinite(problem.resolved_targets()).any():  # Ferrier et al. 2000: needs targets, no re-solve
            _, fer = ferrier_importance(problem, port.solutions[0].selection)
            table["ferrier_irreplaceability"] = fer
            plot_values(pdata, fer, os.path.join(tmp, "ferrier.png"),
                        f"{s.name}: Ferrier irreplaceability of each selected unit (summed over features)",
                        "irreplaceability", cmap="YlOrRd", xy=xy)
            summary["ferrier_irreplaceability"] = {"units": int(np.isfinite(fer).sum()),
                                                   "method": "Ferrier et al. 2000, summed over features"}
        if rank is not None:
            table["rank"] = rank.ranks
            plot_values(pdata, rank.ranks, os.path.join(tmp, "rank.png"),
                        f"{s.name}: rank importance in {ranks} budget steps (rescaled 0.01-1; 1 = chosen first)",
                        "rank", cmap="viridis", xy=xy)
            summary["rank_importance"] = {"steps": ranks, "budgets": rank.budgets.tolist(),
                                          "objectives": rank.objectives, "statuses": rank.statuses}
        if rc is not None:
            table["replacement_cost"] = rc
        pd.DataFrame(table).to_csv(os.path.join(tmp, "importance.csv"), index=False, float_format="%.10g")
        if pdata.grid is not None:
            import xarray as xr

            xr.Dataset({k: pdata.to_grid(np.asarray(v, dtype=np.float64), name=k) for k, v in table.items()
                        if k != "id"}).to_netcdf(os.path.join(tmp, "importance.nc"))
        if rc is not None:
            plot_values(pdata, np.where(port.solutions[0].selection, rc, np.nan), os.path.join(tmp, "importance.png"),
                        f"{s.name}: replacement cost of each selected unit (locked/irreplaceable at top)",
                        "objective increase without the unit", cmap="magma_r", xy=xy)
            finite = rc[np.isfinite(rc)]
            summary["importance"] = {"units": int(np.isfinite(rc).sum() + np.isinf(rc).sum()),
                                     "irreplaceable": int(np.isinf(rc).sum()),
                                     "max_finite": float(finite.max()) if finite.size else None}
        write_json(os.path.join(tmp, "summary.json"), summary)
    return port, folder.path
