"""Turn a validated :class:`~scp.scenario.schema.Scenario` into planning data and a problem."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ...data import PlanningData
from ...errors import DataError, ScenarioError
from ...problem.problem import Problem
from .decisions import apply_decisions
from .target_methods import apply_target_methods, rule_targets_of
from .load import input_files
from .schema import Scenario

if TYPE_CHECKING:
    import numpy as np


def open_grid(path: str):
    """Open a gridded file as an :class:`xarray.Dataset`: NetCDF, or GeoTIFF with scp[geo].

    A GeoTIFF's bands become layers named by their descriptions (``band_1``... otherwise).
    """
    import xarray as xr

    ext = os.path.splitext(path)[1].lower()
    try:
        if ext in (".tif", ".tiff"):
            try:
                import rioxarray
            except ImportError:
                raise ScenarioError(f"{path}: reading GeoTIFF needs rioxarray: pip install 'scp[geo]'",
                                    "data.grid.path") from None
            da = rioxarray.open_rasterio(path, masked=True)
            names = list(da.attrs.get("long_name") or [])
            if isinstance(names, str) or len(names) != da.sizes.get("band", 1):
                names = [f"band_{i + 1}" for i in range(da.sizes.get("band", 1))]
            ds = xr.Dataset({n: da.isel(band=i, drop=True) for i, n in enumerate(names)})
            return ds.load()
        import warnings

        with warnings.catch_warnings():
            # the scipy NetCDF reader warns when it closes a memory-mapped file after load()
            warnings.filterwarnings("ignore", message="Cannot close a netcdf_file opened with mmap")
            with xr.open_dataset(path) as ds:
                return ds.load()
    except ScenarioError:
        raise
    except Exception as exc:  # the file is unreadable: name it and say what it should be
        raise DataError(f"{path}: cannot read as a NetCDF/GeoTIFF grid ({type(exc).__name__}: {exc})") from None


def load_data(s: Scenario) -> tuple[PlanningData, object | None]:
    """Planning data of the scenario, and the Marxan project when the data come from one.

    Problems in the data files are reported as :class:`ScenarioError` at the YAML key
    that names the source (``data.grid``, ``data.tables``, ``data.marxan``).
    """
    key = next(f"data.{k}" for k in ("grid", "vector", "tables", "marxan") if getattr(s.data, k) is not None)
    try:
        data, marxan = _load_data(s)
    except DataError as exc:
        raise ScenarioError(str(exc), key) from None
    if s.units:
        try:
            data = data.with_units(s.units)
        except DataError as exc:
            raise ScenarioError(str(exc), "units") from None
    return data, marxan


def _load_data(s: Scenario) -> tuple[PlanningData, object | None]:
    d = s.data
    if d.grid is not None:
        g = d.grid
        ds = open_grid(g.path)
        if g.feature_path:
            extra = open_grid(g.feature_path)
            clash = sorted(set(map(str, extra.data_vars)) & set(map(str, ds.data_vars)))
            if clash:
                raise ScenarioError(f"layers {clash} are in both files", "data.grid.feature_path")
            ds = ds.merge(extra, join="exact")
        features = None
        if g.features != "all":
            features = list(g.features)
        elif g.feature_path:
            features = [str(v) for v in open_grid(g.feature_path).data_vars]
        for key, names in (("cost", [g.cost]), ("jurisdiction", [g.jurisdiction] if g.jurisdiction else []),
                           ("locked_in", g.locked_in), ("locked_out", g.locked_out),
                           ("area", [g.area] if g.area else []), ("features", features or [])):
            for n in names:
                if n not in ds:
                    import difflib

                    close = difflib.get_close_matches(n, list(map(str, ds.data_vars)), n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    raise ScenarioError(f"layer {n!r} is not in {g.path} (layers: "
                                        f"{', '.join(map(str, ds.data_vars))}){hint}", f"data.grid.{key}")
        try:
            data = PlanningData.from_xarray(ds, cost=g.cost, features=features, area=g.area,
                                            jurisdiction=g.jurisdiction, locked_in=g.locked_in or None,
                                            locked_out=g.locked_out or None, boundary=g.boundary,
                                            negative_features=g.negative_features)
        except DataError as exc:
            files = g.path + (f" + {g.feature_path}" if g.feature_path else "")
            raise DataError(f"{files}: {exc}") from None
        return data, None
    if d.vector is not None:
        v = d.vector
        from ...data.io.vector import _geo, from_geodataframe

        geopandas, _ = _geo()
        try:
            gdf = geopandas.read_file(v.path, layer=v.layer) if v.layer else geopandas.read_file(v.path)
        except Exception as exc:
            raise DataError(f"{v.path}: cannot read as a vector file ({type(exc).__name__}: {exc})") from None
        features = None if v.features == "all" else list(v.features)
        return from_geodataframe(gdf, cost=v.cost, features=features, id=v.id, area=v.area,
                                 jurisdiction=v.jurisdiction, locked_in=v.locked_in, locked_out=v.locked_out,
                                 boundary=v.boundary, source=v.path), None
    if d.tables is not None:
        import pandas as pd

        def read(key: str, path: str | None):
            if path is None:
                return None
            try:
                return pd.read_csv(path)
            except Exception as exc:
                raise DataError(f"{path}: cannot read as CSV ({exc}); see data.tables.{key}") from None

        t = d.tables
        tables = read("pu", t.pu), read("rij", t.rij), read("boundary", t.boundary)
        try:
            return PlanningData.from_tables(*tables), None
        except DataError as exc:
            files = f"pu {t.pu}, rij {t.rij}" + (f", boundary {t.boundary}" if t.boundary else "")
            raise DataError(f"{exc} (tables: {files})") from None
    from ...data.io.marxan import read_marxan

    project = read_marxan(d.marxan)
    return project.data, project


class UnitLayers:
    """Per-PU values of extra layers of the scenario's data source (resistance, area ids...).

    Grid sources: layers of the grid file (and ``feature_path``) at the PU cells; vector
    sources: attribute columns. Other sources have no layers.
    """

    def __init__(self, s: Scenario, data: PlanningData) -> None:
        self.s, self.data = s, data
        self._table = None

    def _source(self):
        if self._table is None:
            d = self.s.data
            if d.grid is not None:
                ds = open_grid(d.grid.path)
                if d.grid.feature_path:
                    ds = ds.merge(open_grid(d.grid.feature_path), join="exact")
                self._table = ("grid", ds, d.grid.path)
            elif d.vector is not None:
                import geopandas

                gdf = (geopandas.read_file(d.vector.path, layer=d.vector.layer) if d.vector.layer
                       else geopandas.read_file(d.vector.path))
                self._table = ("vector", gdf, d.vector.path)
            else:
                self._table = ("none", None, None)
        return self._table

    def __call__(self, name: str, key: str) -> "np.ndarray":
        import numpy as np

        kind, src, path = self._source()
        if kind == "none":
            raise ScenarioError(f"layer {name!r}: layers need grid or vector data", key)
        names = list(map(str, src.data_vars)) if kind == "grid" else [str(c) for c in src.columns]
        if name not in names:
            import difflib

            close = difflib.get_close_matches(name, names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ScenarioError(f"layer {name!r} is not in {path} (layers: {', '.join(names)}){hint}", key)
        if kind == "grid":
            values = np.asarray(src[name].values, dtype=np.float64).ravel()[self.data.grid.flat_index]
        else:
            values = np.asarray(src[name], dtype=np.float64)
            if values.shape != (self.data.n_pu,):
                raise ScenarioError(f"column {name!r} has {values.size} values for {self.data.n_pu} PUs", key)
        bad = ~np.isfinite(values)
        if bad.any():
            raise ScenarioError(f"layer {name!r} is NaN at {int(bad.sum())} planning unit(s) (first PU ids "
                                f"{self.data.ids[bad][:5].tolist()}); fill them in {path}", key)
        return values

    def area(self, a, key: str) -> "np.ndarray":
        """Boolean PU mask of an :class:`~scp.scenario.schema.Area`."""
        import numpy as np

        from ...problem.constraints import pu_mask

        if a.layer is None:
            mask = pu_mask(self.data, np.asarray(a.ids), key)
        else:
            v = self(a.layer, f"{key}.layer")
            mask = np.isin(v, a.values) if a.values else v != 0
        if a.jurisdictions:
            known = set(self.data.jurisdictions)
            bad = [j for j in a.jurisdictions if j not in known]
            if bad:
                raise ScenarioError(f"unknown jurisdiction(s) {bad}; the data have {sorted(known)}",
                                    f"{key}.jurisdictions")
            mask &= np.isin(self.data.jurisdiction, a.jurisdictions)
        if not mask.any():
            what = f"layer {a.layer!r} {'in ' + str(a.values) if a.values else 'nonzero'}" if a.layer else "these ids"
            where = f" in {a.jurisdictions}" if a.jurisdictions else ""
            raise ScenarioError(f"no planning unit has {what}{where}", key)
        return mask


def build_problem(s: Scenario, data: PlanningData, marxan=None) -> Problem:
    """The :class:`~scp.problem.Problem` a scenario describes, with errors naming YAML paths."""
    if data.n_features == 0:
        files = ", ".join(p for _, p in input_files(s))
        raise ScenarioError(f"the data ({files}) have no features, so the plan would represent nothing; name "
                            "the feature layers (data.grid.features), or give a feature table", "data")
    base_names = data.features
    if s.targets_within == "jurisdiction":
        if data.jurisdiction is None:
            raise ScenarioError("needs a jurisdiction layer", "targets_within")
        if s.relative_to == "all_data":
            raise ScenarioError("the cells outside the planning units have no jurisdiction here, so targets within "
                                "each jurisdiction are shares of the units' totals; remove relative_to: all_data",
                                "relative_to")
        data = data.split_by_jurisdiction()
        if marxan is not None and not s.targets:
            raise ScenarioError("with Marxan data, give targets explicitly when splitting them by jurisdiction",
                                "targets_within")
    p = Problem(data)
    o = s.objective
    weights = dict(o.weights)
    if o.type == "max_utility":
        p = p.max_utility(o.budget, weights)
    elif o.type == "max_cover":
        p = p.max_cover(o.budget, weights)
    elif o.type == "min_penalties":
        p = p.min_penalties(o.budget)
    elif o.type == "min_shortfall":
        p = p.min_shortfall(o.budget, weights)
    elif o.type == "min_largest_shortfall":
        p = p.min_largest_shortfall(o.budget, weights)
    elif o.type == "max_features_met":
        p = p.max_features_met(o.budget, weights)
    elif o.type.startswith("max_phylo"):
        p = (p.max_phylo_endemism if o.type.endswith("endemism") else p.max_phylo_diversity)(o.budget, o.tree)
    if o.type not in ("max_utility", "max_cover"):
        if marxan is not None and not s.targets:
            p = p.absolute_targets(dict(zip(data.features, marxan.targets.tolist())))
        p = apply_target_methods(s, p)
        if s.loglinear_targets is not None:
            lt = s.loglinear_targets
            p = p.loglinear_targets(lt.lower_amount, lt.lower_target, lt.upper_amount, lt.upper_target,
                                    lt.cap_amount, lt.cap_target)
        default = s.targets.get("default")
        if default is not None:
            p = (p.relative_targets(default.relative, cap=default.cap, relative_to=s.relative_to)
                 if default.relative is not None
                 else p.absolute_targets(default.absolute))
        if s.target_rules is not None:  # over the default, under the per-feature targets
            rules = rule_targets_of(s, base_names)
            p = p.relative_targets(relative_to=s.relative_to, value={part: v for f, v in rules.items() for part in data.features
                                    if part.split("@")[0] == f})
        for name, t in s.targets.items():
            if name == "default":
                continue
            if name not in base_names:
                import difflib

                close = difflib.get_close_matches(name, base_names, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ScenarioError(f"unknown feature {name!r}{hint} (features: {', '.join(base_names[:10])}"
                                    f"{'...' if len(base_names) > 10 else ''})", f"targets.{name}")
            parts = [name] if s.targets_within == "region" else [f for f in data.features if f.split("@")[0] == name]
            for part in parts:
                p = (p.relative_targets({part: t.relative}, cap=t.cap, relative_to=s.relative_to) if t.relative is not None
                     else p.absolute_targets({part: t.absolute}))
    elif s.targets:
        raise ScenarioError(f"the {o.type} objective does not use targets; remove them", "targets")
    if s.coverage is not None:
        if s.coverage.total is not None:
            p = p.coverage(s.coverage.total)
        pj = s.coverage.per_jurisdiction
        if pj is not None:
            if data.jurisdiction is None:
                raise ScenarioError("needs a jurisdiction layer (data.grid.jurisdiction or a 'jurisdiction' "
                                    "column in the PU table)", "coverage.per_jurisdiction")
            if isinstance(pj, dict):
                for label, f in pj.items():
                    if label not in data.jurisdictions:
                        raise ScenarioError(f"unknown jurisdiction {label!r}; the data have "
                                            f"{list(data.jurisdictions)}", f"coverage.per_jurisdiction.{label}")
                    p = p.coverage(f, by=[label])
            else:
                p = p.coverage(pj, by="jurisdiction")
    if s.budget is not None:
        p = p.budget(s.budget)
    blm = s.boundary.penalty if s.boundary is not None else (marxan.blm if marxan is not None else 0.0)
    if blm != 0:
        if data.boundary is None:
            raise ScenarioError("a boundary penalty needs a boundary matrix: use grid data, a boundary table "
                                "or a Marxan bound.dat", "boundary.penalty")
        p = p.boundary_penalty(blm, s.boundary.edge_factor if s.boundary is not None else 1.0)
    if s.contiguity is not None:
        if data.boundary is None:
            raise ScenarioError("contiguity needs a boundary matrix: use grid or polygon data, or a boundary "
                                "table", "contiguity")
        c = s.contiguity
        p = p.contiguity(c) if isinstance(c, str) else p.contiguity(c.mode, c.method)
    if s.feature_contiguity:
        if data.boundary is None:
            raise ScenarioError("feature contiguity needs a boundary matrix: use grid or polygon data, or a "
                                "boundary table", "feature_contiguity")
        try:
            p = p.feature_contiguity(s.feature_contiguity)
        except DataError as exc:
            raise ScenarioError(str(exc), "feature_contiguity") from None
    layers = UnitLayers(s, data)
    if s.indicators is not None and data.grid is None and data.geometry is None:
        raise ScenarioError("ECA/ProtConn need unit positions: grid or polygon data (tables and Marxan "
                            "projects have none); remove 'indicators'", "indicators")
    for name, g in s.group_targets.items():
        if s.targets_within == "jurisdiction":
            raise ScenarioError("group targets are counted over the whole region; remove targets_within or the "
                                "group target", f"group_targets.{name}")
        p = p.group_target(name, g.features, relative=g.relative, absolute=g.absolute)
    for name, lp in s.linear_penalties.items():
        if lp.penalty != 0:
            p = p.linear_penalty(lp.penalty, layers(lp.layer, f"linear_penalties.{name}.layer"), name)
    if s.neighbours is not None:
        p = p.neighbours(s.neighbours.k, s.neighbours.directions, s.neighbours.clamp)
    for name, c in s.corridors.items():
        key = f"corridors.{name}"
        resistance = layers(c.resistance, f"{key}.resistance") if c.resistance else None
        p = p.corridor(layers.area(c.from_, f"{key}.from"), layers.area(c.to, f"{key}.to"), resistance,
                       c.weight, name, c.directions)
    if s.connectivity is not None and s.connectivity.penalty != 0:
        import scipy.sparse as sp
        from dataclasses import replace

        c = s.connectivity
        if c.path is not None:
            try:
                m = sp.load_npz(c.path)
            except Exception as exc:
                raise DataError(f"{c.path}: cannot read a scipy.sparse .npz matrix ({exc})") from None
            if m.shape != (data.n_pu, data.n_pu):
                raise ScenarioError(f"matrix is {m.shape}, expected ({data.n_pu}, {data.n_pu}) for the PUs in "
                                    "data order", "connectivity.path")
        else:
            from ...data.resistance import resistance_connectivity

            r = c.resistance
            weight = layers(r.source_weight, "connectivity.resistance.source_weight") if r.source_weight else None
            try:
                m = resistance_connectivity(p.data, layers(r.layer, "connectivity.resistance.layer"),
                                            r.dispersal_distance, max_distance=r.max_distance,
                                            neighbours=r.directions, source_weight=weight)
            except DataError as exc:
                raise ScenarioError(str(exc), "connectivity.resistance") from None
        p = replace(p, data=p.data.with_connectivity("scenario", m)).connectivity_penalty(
            c.penalty, "scenario", asymmetric=c.asymmetric)
    return apply_decisions(s, p, layers)


def solver_options(s: Scenario, overrides: dict | None = None) -> dict:
    """The keyword arguments of :func:`scp.solve` for the scenario's ``solver:`` block, with
    command-line ``overrides`` (keys ``name``, ``gap``, ``time_limit``, ``threads``) on top."""
    opts = {"name": s.solver.name, "gap": s.solver.gap, "time_limit": s.solver.time_limit,
            "threads": s.solver.threads, **(overrides or {})}
    return {"solver": opts.pop("name"), **opts, "formulation": s.solver.formulation,
            "warm_start": None if s.solver.warm_start == "none" else s.solver.warm_start}
