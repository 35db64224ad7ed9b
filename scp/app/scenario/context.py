"""Context layers a scenario asks to draw on its map (``outputs.hillshade``, ``outputs.places``),
read and checked before anything is solved."""

from __future__ import annotations

import numpy as np

from ...data.planning_data import PlanningData
from ...errors import ScenarioError
from ..gis import crs_of
from ..maps import MapContext
from .build import UnitLayers
from .schema import Scenario


def read_places(path: str, data: PlanningData) -> list[tuple[str, float, float]]:
    """Places from a CSV with columns ``name`` and ``x``, ``y`` (map units) or ``lon``, ``lat``."""
    import pandas as pd

    key = "outputs.places"
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read as CSV ({exc})", key) from None
    cols = set(table.columns)
    if "name" not in cols or not ({"x", "y"} <= cols or {"lon", "lat"} <= cols):
        raise ScenarioError(f"{path}: expected columns name, x, y (map units) or name, lon, lat; found "
                            f"{sorted(map(str, cols))}", key)
    a, b = ("x", "y") if {"x", "y"} <= cols else ("lon", "lat")
    try:
        xy = table[[a, b]].to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        raise ScenarioError(f"{path}: columns {a}, {b} must hold numbers", key) from None
    if not np.isfinite(xy).all():
        raise ScenarioError(f"{path}: {a}/{b} are empty or not finite in some rows", key)
    if a == "lon":
        crs = crs_of(data)
        try:
            from pyproj import CRS, Transformer

            t = Transformer.from_crs("EPSG:4326", CRS.from_user_input(crs), always_xy=True)
        except Exception:  # no pyproj, or no usable CRS
            raise ScenarioError(f"{path}: lon/lat places need the data's CRS and pyproj (scp[geo]); give x, y "
                                "in map units instead", key) from None
        xy = np.column_stack(t.transform(xy[:, 0], xy[:, 1]))
    return [(str(n), float(x), float(y)) for n, (x, y) in zip(table["name"], xy)]


def map_context(s: Scenario, data: PlanningData) -> MapContext | None:
    """The map's hillshade and places, or None when the scenario asks for neither."""
    o = s.outputs
    if not (o.hillshade or o.places):
        return None
    elevation = None
    if o.hillshade:
        if data.grid is None:
            raise ScenarioError("a hillshade needs grid data (an elevation layer on the planning grid)",
                                "outputs.hillshade")
        elevation = UnitLayers(s, data)(o.hillshade, "outputs.hillshade")
    return MapContext(elevation=elevation, places=read_places(o.places, data) if o.places else [])
