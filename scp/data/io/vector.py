"""Planning units as polygons (geopandas, the ``scp[geo]`` extra).

The boundary matrix is built from shared edges, vectorised with shapely 2: candidate
neighbour pairs come from one spatial-index query, and the shared length of every pair
is ``length(intersection(boundary_i, boundary_j))`` computed for all pairs at once. The
exposed edge of a unit is its perimeter minus everything it shares.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp

from ..planning_data import PlanningData
from ...errors import DataError


def _geo():
    try:
        import geopandas
        import shapely
    except ImportError:
        raise DataError("polygon planning units need geopandas and shapely: pip install 'scp[geo]'") from None
    return geopandas, shapely


def polygon_boundary(geometries) -> sp.csr_matrix:
    """Symmetric boundary matrix of polygons: shared edge lengths, diagonal = exposed edge."""
    _, shapely = _geo()
    geoms = np.asarray(geometries)
    n = geoms.size
    edges = shapely.boundary(geoms)
    tree = shapely.STRtree(geoms)
    i, j = tree.query(geoms, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    shared = shapely.length(shapely.intersection(edges[i], edges[j]))
    touch = shared > 0
    i, j, shared = i[touch], j[touch], shared[touch]
    off = sp.coo_matrix((shared, (i, j)), shape=(n, n)).tocsr()
    off = off + off.T
    exposed = shapely.length(edges) - np.asarray(off.sum(axis=1)).ravel()
    exposed[exposed < 1e-9 * np.maximum(shapely.length(edges), 1.0)] = 0.0
    out = (off + sp.diags(exposed)).tocsr()
    out.eliminate_zeros()
    out.sort_indices()
    return out


def from_geodataframe(gdf, cost: str = "cost", features: Sequence[str] | None = None, *, id: str | None = None,
                      area: str | None = None, jurisdiction: str | None = None,
                      locked_in: Sequence[str] = (), locked_out: Sequence[str] = (), boundary: bool = True,
                      source: str = "polygons") -> PlanningData:
    """Planning data from a GeoDataFrame with one polygon per planning unit.

    ``features`` are numeric columns (default: every numeric column not used otherwise);
    area defaults to the polygon area in the layer's CRS units; locked layers are 0/1 columns.
    """
    _geo()
    used = {cost, id, area, jurisdiction, *locked_in, *locked_out, "geometry"} - {None}
    for name in sorted(used - {"geometry"}) + list(features or []):
        if name not in gdf.columns:
            raise DataError(f"{source}: column {name!r} not found; columns are {[c for c in gdf.columns if c != 'geometry']}")
    if features is None:
        features = [c for c in gdf.columns if c not in used and np.issubdtype(gdf[c].dtype, np.number)]
    if gdf.geometry.isna().any() or (~gdf.geometry.is_valid).any():
        bad = np.flatnonzero((gdf.geometry.isna() | ~gdf.geometry.is_valid).to_numpy())[:5]
        raise DataError(f"{source}: rows {bad.tolist()} have missing or invalid polygons; repair them (e.g. make_valid)")
    ids = gdf[id].to_numpy() if id else np.arange(len(gdf))
    feats = {str(f): gdf[f].to_numpy(dtype=np.float64) for f in features}
    area_v = gdf[area].to_numpy(dtype=np.float64) if area else gdf.geometry.area.to_numpy()
    any_col = (lambda cols: None if not cols else  # noqa: E731
               np.logical_or.reduce([np.nan_to_num(gdf[c].to_numpy(dtype=np.float64)) > 0 for c in cols]))
    data = PlanningData.from_arrays(
        cost=gdf[cost].to_numpy(dtype=np.float64), features=feats, ids=ids, area=area_v,
        jurisdiction=gdf[jurisdiction].astype(str).to_numpy() if jurisdiction else None,
        locked_in=any_col(list(locked_in)), locked_out=any_col(list(locked_out)),
        boundary=polygon_boundary(gdf.geometry.to_numpy()) if boundary else None,
        geometry=gdf.geometry.reset_index(drop=True), units=crs_units(gdf.crs, area_given=bool(area)))
    return data


def crs_units(crs, area_given: bool) -> dict[str, str]:
    """Boundary (and, when computed from the polygons, area) units from a layer's CRS."""
    if crs is None:
        return {}
    try:
        name = crs.axis_info[0].unit_name if crs.axis_info else ""
    except (AttributeError, IndexError):
        return {}
    length = {"metre": "m", "meter": "m", "kilometre": "km", "foot": "ft", "US survey foot": "ft"}.get(name, "")
    if not length:
        return {}
    return {"boundary": length} if area_given else {"boundary": length, "area": f"{length}2"}
