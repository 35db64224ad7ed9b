"""Quick start: a 30x30 plan on a small generated two-country landscape, end to end.

Builds a 60 x 80 grid with two jurisdictions (west "TKM", east "UZB" across a ridge),
five illustrative features, an existing reserve on each side, and a settlement that is
locked out; then solves a minimum-cost plan that represents 30% of every feature,
covers 30% of each country, and penalises boundary length, to proven optimality.
The selection is verified from itself with scp.evaluate, and a map is written.

Run:  python examples/quickstart.py [--out results/quickstart]
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import xarray as xr

import scp


def landscape(rows: int = 60, cols: int = 80, seed: int = 7) -> xr.Dataset:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:rows, 0:cols].astype(float)
    ridge = cols / 2 + 6 * np.sin(y / 9)
    elevation = 300 + 2800 * np.exp(-((x - ridge) / (cols / 6)) ** 2) + rng.normal(0, 60, (rows, cols))
    country = np.where(x < ridge, "TKM", "UZB")
    cost = 1 + 9 * np.exp(-elevation / 800) + rng.gamma(2, 0.5, (rows, cols))
    features = {
        "semi_desert": (elevation < 700).astype(float),
        "juniper_woodland": ((elevation > 1200) & (elevation < 2200)).astype(float),
        "alpine_grassland": (elevation > 2500).astype(float),
        "markhor": np.clip((elevation - 900) / 1500, 0, 1) * (rng.random((rows, cols)) < 0.6),
        "urial": np.clip(1 - np.abs(elevation - 1200) / 900, 0, 1),
    }
    reserve = ((np.abs(x - ridge + 8) < 4) & (np.abs(y - 20) < 6)) | ((np.abs(x - ridge - 7) < 3) & (np.abs(y - 40) < 5))
    town = (x - 8) ** 2 + (y - 50) ** 2 < 9
    ds = xr.Dataset({k: (("y", "x"), v) for k, v in features.items()},
                    coords={"y": np.arange(rows) * 1000.0, "x": np.arange(cols) * 1000.0})
    ds["cost"] = (("y", "x"), cost)
    ds["country"] = (("y", "x"), country)
    ds["reserve"] = (("y", "x"), reserve.astype(float))
    ds["settlement"] = (("y", "x"), town.astype(float))
    return ds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="results/quickstart")
    args = ap.parse_args(argv)
    ds = landscape()
    data = scp.PlanningData.from_xarray(ds, cost="cost", jurisdiction="country", locked_in="reserve",
                                        locked_out="settlement",
                                        features=["semi_desert", "juniper_woodland", "alpine_grassland", "markhor", "urial"])
    problem = (scp.Problem(data).min_set().relative_targets(0.3).relative_targets({"markhor": 0.5})
               .coverage(0.3, by="jurisdiction").boundary_penalty(2e-4))
    print(f"{data.n_pu} planning units, {data.n_features} features; solving to proven optimality with HiGHS ...")
    sol = scp.solve(problem, gap=0.0)
    ev = sol.evaluation
    print(f"status {sol.status.value}, gap {sol.gap:.2e}, cost {ev.cost:,.1f}, {ev.n_selected} units selected")
    print("coverage: " + ", ".join(f"{k} {v:.1%}" for k, v in {"total": ev.coverage, **ev.coverage_by_jurisdiction}.items()))
    print(f"{'feature':<18}{'held':>10}{'target':>10}  met")
    for f in ev.features:
        print(f"{f.name:<18}{f.held:>10.1f}{f.target:>10.1f}  {'yes' if f.met else 'NO'}")
    os.makedirs(args.out, exist_ok=True)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid = sol.to_xarray()
    status = data.to_grid(data.status.astype(float))
    fig, ax = plt.subplots(figsize=(8, 6))
    ax.imshow(np.where(np.isnan(grid), np.nan, grid + 0 * status), cmap="Greens", vmin=-0.3, vmax=1.2)
    ax.contour(status == 1, levels=[0.5], colors="navy", linewidths=1)
    ax.contour((ds["country"] == "TKM").values.astype(float), levels=[0.5], colors="k", linestyles="--")
    ax.set_title(f"30x30 plan: cost {ev.cost:,.0f}, coverage {ev.coverage:.1%} (green = selected, "
                 "blue = existing reserves, dashed = border)", fontsize=8)
    path = os.path.join(args.out, "map.png")
    fig.savefig(path + ".tmp.png", dpi=100)
    os.replace(path + ".tmp.png", path)
    print(f"map written to {path}")
    return 0 if ev.feasible else 1


if __name__ == "__main__":
    sys.exit(main())
