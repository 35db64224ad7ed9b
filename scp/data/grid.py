"""Gridded planning data: the layers of a 2-D :class:`xarray.Dataset` as PlanningData arrays."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from ..errors import DataError
from .boundary import grid_boundary
from .checks import describe_ids as _describe_ids


@dataclass(frozen=True)
class GridMapping:
    """Position of each PU in a 2-D raster.

    Attributes
    ----------
    dims: names of the two grid dimensions (``("y", "x")``).
    coords: coordinate values of each dimension.
    shape: grid shape.
    flat_index: (n,) C-order position of each PU in the grid.
    attrs: attributes to carry to outputs (e.g. ``crs``).
    """

    dims: tuple[str, str]
    coords: Mapping[str, np.ndarray]
    shape: tuple[int, int]
    flat_index: np.ndarray
    attrs: Mapping[str, object] = field(default_factory=dict)


def grid_arrays(dataset, cost: str = "cost", features: Sequence[str] | None = None, *, area: str | None = None,
                jurisdiction: str | None = None, locked_in: str | Sequence[str] | None = None,
                locked_out: str | Sequence[str] | None = None, boundary: bool = True) -> dict:
    """The keyword arguments of :meth:`PlanningData.from_arrays` for a gridded dataset (see
    :meth:`PlanningData.from_xarray` for the parameters)."""
    import xarray as xr

    ds = dataset if isinstance(dataset, xr.Dataset) else xr.Dataset(dict(dataset))
    if cost not in ds:
        raise DataError(f"cost layer {cost!r} not found; layers are {sorted(map(str, ds.data_vars))}")
    c = ds[cost]
    if c.ndim != 2:
        raise DataError(f"cost layer {cost!r}: expected 2 dimensions, got {c.dims}")
    dims = tuple(str(d) for d in c.dims)
    as_list = lambda v: [] if v is None else ([v] if isinstance(v, str) else list(v))  # noqa: E731
    locked_in, locked_out = as_list(locked_in), as_list(locked_out)
    used = {cost, area, jurisdiction, *locked_in, *locked_out} - {None}
    if features is None:
        features = [str(v) for v in ds.data_vars if str(v) not in used]
    for name in list(features) + sorted(x for x in used if x is not None):
        if name not in ds:
            raise DataError(f"layer {name!r} not found; layers are {sorted(map(str, ds.data_vars))}")
        if tuple(str(d) for d in ds[name].dims) != dims:
            raise DataError(f"layer {name!r} has dims {ds[name].dims}, expected {dims} like the cost layer")
    for name in [cost, *features, *(x for x in (area, *locked_in, *locked_out) if x)]:
        if ds[name].dtype.kind not in "biuf":
            raise DataError(f"layer {name!r} holds {ds[name].dtype} values, not numbers; store it as a numeric "
                            "layer (text is allowed only for the jurisdiction layer)")
    cvals = c.values.astype(np.float64)
    infinite = np.isinf(cvals)
    if infinite.any():
        cells = np.flatnonzero(infinite.ravel())[:5].tolist()
        raise DataError(f"cost layer {cost!r}: {int(infinite.sum())} cell(s) have an infinite cost (cell ids {cells}); "
                        "use NaN for cells that are not planning units, or lock the cells out")
    mask = np.isfinite(cvals)
    flat = np.flatnonzero(mask.ravel())
    if flat.size == 0:
        raise DataError(f"cost layer {cost!r} is NaN everywhere; no planning units")
    coords = {d: (np.asarray(ds[d].values) if d in ds.coords else np.arange(c.shape[k])) for k, d in enumerate(dims)}
    for d in dims:
        v = np.asarray(coords[d])
        if v.dtype.kind not in "biuf" or not np.isfinite(v).all() or (v.size > 1 and not (
                (np.diff(v) > 0).all() or (np.diff(v) < 0).all())):
            raise DataError(f"coordinate {d!r} must hold finite numbers in increasing or decreasing order "
                            "(cell centres); the file's coordinates are damaged or not a regular grid")
    spacing = [float(abs(coords[d][1] - coords[d][0])) if len(coords[d]) > 1 else 1.0 for d in dims]
    dy, dx = spacing
    ids = flat.copy()

    def layer(name):
        return ds[name].values.ravel()[flat]

    feats = {}
    for f in features:
        v = layer(f).astype(np.float64)
        bad = ~np.isfinite(v)
        if bad.any():
            raise DataError(
                f"feature layer {f!r}: {int(bad.sum())} planning unit cell(s) are NaN (first cell ids "
                f"{_describe_ids(ids, bad)}); fill absent with 0 (e.g. ds[{f!r}].fillna(0))"
            )
        feats[str(f)] = v
    area_v = layer(area) if area else np.full(flat.size, dx * dy)
    jur_v = _labels(ds[jurisdiction], flat) if jurisdiction else None

    def any_layer(names):
        if not names:
            return None
        return np.logical_or.reduce([np.nan_to_num(layer(n).astype(np.float64), nan=0.0) > 0 for n in names])

    li, lo = any_layer(locked_in), any_layer(locked_out)
    bnd = None
    if boundary:
        bnd = grid_boundary(mask, dx=dx, dy=dy)
    attrs = {k: v for k, v in c.attrs.items() if k in ("crs", "spatial_ref")}
    crs = attrs.get("crs") or ds.attrs.get("crs")
    if crs:
        attrs["crs"] = crs
    grid = GridMapping(dims=dims, coords=coords, shape=tuple(c.shape), flat_index=flat, attrs=attrs)
    every_cell = [float(np.nansum(np.clip(ds[f].values.astype(np.float64), 0.0, None))) for f in features]
    return dict(cost=cvals.ravel()[flat], features=feats, ids=ids, area=area_v,
                jurisdiction=jur_v, locked_in=li, locked_out=lo, boundary=bnd, grid=grid,
                units=layer_units(ds, cost, area, list(features), crs),
                data_totals=np.maximum(every_cell, [float(v.sum()) for v in feats.values()]))


def map_unit(crs) -> str:
    """Length unit of a CRS given as PROJ text or WKT (``"m"``, ``"ft"``, ``"degree"``), ``""`` if unknown."""
    text = str(crs or "")
    if "+units=m " in text + " " or 'UNIT["metre"' in text or 'LENGTHUNIT["metre"' in text:
        return "m"
    if "+units=km" in text:
        return "km"
    if "+units=ft" in text or "+units=us-ft" in text:
        return "ft"
    if "+proj=longlat" in text or 'ANGLEUNIT["degree"' in text:
        return "degree"
    return ""


def layer_units(ds, cost: str, area: str | None, features: Sequence[str], crs) -> dict[str, str]:
    """Units from the layers' ``units`` attributes (CF convention); the boundary is measured in
    the map unit of the CRS, and an area computed from the cell size in that unit squared."""
    units = {}
    for key, name in [("cost", cost), ("area", area), *((f, f) for f in features)]:
        u = ds[name].attrs.get("units") if name else None
        if u is not None and str(u).strip():
            units[key] = str(u).strip()
    length = map_unit(crs)
    if length and length != "degree":
        units["boundary"] = length
        if not area:
            units["area"] = f"{length}2"
    return units


def _labels(da, flat: np.ndarray) -> np.ndarray:
    """Jurisdiction labels of the PU cells: strings as they are, codes via CF flag attributes."""
    values = np.asarray(da.values).ravel()[flat]
    if values.dtype.kind in "fiu":
        v = values.astype(np.float64)
        if np.isnan(v).any():
            raise DataError(f"jurisdiction layer {da.name!r}: {int(np.isnan(v).sum())} planning unit cell(s) "
                            "have no jurisdiction (NaN); give every cell with a cost a jurisdiction code")
        flags, meanings = da.attrs.get("flag_values"), da.attrs.get("flag_meanings")
        if flags is not None and meanings is not None:
            flags = np.atleast_1d(np.asarray(flags, dtype=np.float64))
            names = str(meanings).split()
            if len(names) != flags.size:
                raise DataError(f"jurisdiction layer {da.name!r}: flag_values and flag_meanings differ in length")
            pos = np.searchsorted(np.sort(flags), v)
            order = np.argsort(flags)
            ok = (pos < flags.size) & (np.sort(flags)[np.minimum(pos, flags.size - 1)] == v)
            if not ok.all():
                raise DataError(f"jurisdiction layer {da.name!r}: code {v[~ok][0]:g} is not in flag_values {flags.tolist()}")
            return np.asarray(names, dtype=object)[order[pos]].astype(str)
        return np.array([f"{x:g}" for x in np.unique(v)], dtype=object)[np.searchsorted(np.unique(v), v)].astype(str)
    return values.astype(str)
