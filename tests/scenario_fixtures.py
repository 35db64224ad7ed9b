"""A small generated scenario on disk for scenario and CLI tests."""

from __future__ import annotations

import os

import numpy as np
import xarray as xr
import yaml


def write_landscape(folder: str, rows: int = 12, cols: int = 16, seed: int = 1) -> str:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:rows, 0:cols].astype(float)
    ridge = cols / 2
    elevation = 300 + 2500 * np.exp(-((x - ridge) / (cols / 5)) ** 2) + rng.normal(0, 50, (rows, cols))
    cost = 1 + 9 * np.exp(-elevation / 800) + rng.gamma(2, 0.5, (rows, cols))
    cost[0, 0] = np.nan  # not a planning unit
    ds = xr.Dataset(
        {
            "cost": (("y", "x"), cost),
            "lowland": (("y", "x"), (elevation < 800).astype(float)),
            "woodland": (("y", "x"), ((elevation > 900) & (elevation < 2000)).astype(float)),
            "markhor": (("y", "x"), np.clip((elevation - 900) / 1500, 0, 1)),
            "country": (("y", "x"), np.where(x < ridge, 1, 2).astype(np.int8),
                        {"flag_values": np.array([1, 2], np.int8), "flag_meanings": "TKM UZB"}),
            "reserve": (("y", "x"), ((np.abs(x - ridge) < 2) & (np.abs(y - rows / 2) < 2)).astype(float)),
            "town": (("y", "x"), ((x < 2) & (y > rows - 3)).astype(float)),
        },
        coords={"y": np.arange(rows) * 1000.0, "x": np.arange(cols) * 1000.0},
    )
    path = os.path.join(folder, "data", "land.nc")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    ds.to_netcdf(path)
    return path


def base_document() -> dict:
    return {
        "name": "small",
        "description": "small generated landscape",
        "data": {"grid": {"path": "data/land.nc", "cost": "cost", "features": ["lowland", "woodland", "markhor"],
                          "jurisdiction": "country", "locked_in": ["reserve"], "locked_out": ["town"]}},
        "targets": {"default": {"relative": 0.3}, "markhor": {"relative": 0.5}},
        "coverage": {"per_jurisdiction": 0.3},
        "boundary": {"penalty": 0.0005},
        "solver": {"name": "highs", "gap": 0.0},
    }


def write_scenario(folder: str, doc: dict | None = None, name: str = "small.yaml") -> str:
    if not os.path.isfile(os.path.join(folder, "data", "land.nc")):
        write_landscape(folder)
    path = os.path.join(folder, name)
    with open(path, "w") as fh:
        yaml.safe_dump(base_document() if doc is None else doc, fh, sort_keys=False)
    return path
