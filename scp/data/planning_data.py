"""Planning data: the fixed index of planning units and everything attached to it.

A :class:`PlanningData` holds, for ``n`` planning units (PUs) and ``m`` features:

* ``ids`` (n,) PU identifiers (unique), ``cost`` (n,) >= 0, ``area`` (n,) >= 0;
* ``jurisdiction`` (n,) label per PU (e.g. ``"TKM"``/``"UZB"``) or ``None``;
* ``status`` (n,) ``0`` free, ``1`` locked in, ``2`` locked out;
* ``rij`` (m x n) sparse feature amounts with named rows ``features``;
* ``boundary`` (n x n) symmetric sparse matrix, diagonal = exposed edge (or ``None``);
* ``connectivity`` named (n x n) sparse matrices;
* ``grid`` a :class:`GridMapping` when PUs are cells of a raster, so that results map
  back to an :class:`xarray.DataArray` with the original coordinates;
* ``units`` the unit of each quantity, e.g. ``{"cost": "USD", "area": "km2", "boundary": "m",
  "semi_desert": "km2"}`` (keys ``cost``, ``area``, ``boundary`` and feature names; a missing
  key means the unit is not known). Units label reports and tables; they never change a result.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from ..errors import DataError
from .checks import describe_ids as _describe_ids
from .checks import square_matrix as _square
from .checks import unit_labels as _units
from .checks import unit_vector as _vector
from .grid import GridMapping

FREE, LOCKED_IN, LOCKED_OUT = 0, 1, 2


@dataclass(frozen=True, eq=False)
class PlanningData:
    """Validated planning-unit data (see module docstring). Build with the ``from_*`` constructors."""

    ids: np.ndarray
    cost: np.ndarray
    area: np.ndarray
    status: np.ndarray
    features: tuple[str, ...]
    rij: sp.csr_matrix
    jurisdiction: np.ndarray | None = None
    boundary: sp.csr_matrix | None = None
    connectivity: Mapping[str, sp.csr_matrix] = field(default_factory=dict)
    grid: GridMapping | None = None
    geometry: object | None = None  # a GeoSeries of PU polygons, for vector PUs
    units: Mapping[str, str] = field(default_factory=dict)
    data_totals: np.ndarray | None = None  # per feature, the total over every cell with data (PUs or not)

    # ------------------------------------------------------------------ basics
    @property
    def n_pu(self) -> int:
        return int(self.ids.shape[0])

    @property
    def n_features(self) -> int:
        return len(self.features)

    @property
    def jurisdictions(self) -> tuple[str, ...]:
        """Sorted distinct jurisdiction labels (empty when there is no jurisdiction layer)."""
        if self.jurisdiction is None:
            return ()
        return tuple(sorted(set(self.jurisdiction.tolist())))

    @property
    def feature_totals(self) -> np.ndarray:
        """Total amount of each feature over all PUs, shape (m,)."""
        return np.asarray(self.rij.sum(axis=1)).ravel()

    @property
    def signed_features(self) -> np.ndarray:
        """Boolean per feature: whether any of its amounts is negative."""
        coo = self.rij.tocoo()
        out = np.zeros(self.n_features, dtype=bool)
        out[coo.row[coo.data < 0]] = True
        return out

    def totals(self, base: str = "planning_units") -> np.ndarray:
        """Per feature, the total a relative target is a share of: over the planning units, or
        (``"all_data"``) over every cell with data, planning unit or not (grid data; other data
        have no cells outside their units, so both are the same)."""
        if base == "planning_units" or self.data_totals is None:
            return self.feature_totals
        if base != "all_data":
            raise DataError(f"unknown base {base!r} for relative targets; use 'planning_units' or 'all_data'")
        return self.data_totals

    def unit(self, key: str) -> str:
        """Unit of ``cost``, ``area``, ``boundary`` or a feature (``""`` when unknown); a feature
        split by jurisdiction (``"markhor@TKM"``) has the unit of its source feature."""
        if key in self.units:
            return self.units[key]
        return self.units.get(key.split("@")[0], "")

    def with_units(self, units: Mapping[str, str]) -> "PlanningData":
        """Copy whose units are updated by ``units`` (keys: ``cost``, ``area``, ``boundary``,
        feature names); an unknown key is an error naming the known ones."""
        known = {"cost", "area", "boundary", *self.features}
        unknown = sorted(set(units) - known)
        if unknown:
            raise DataError(f"units: unknown key(s) {unknown}; use cost, area, boundary or a feature name "
                            f"({', '.join(self.features[:6])}{', ...' if len(self.features) > 6 else ''})")
        return dataclasses.replace(self, units={**self.units, **_units(units)})

    def feature_index(self, name: str) -> int:
        """Row of feature ``name`` in ``rij``; a clear error with suggestions when unknown."""
        try:
            return self.features.index(name)
        except ValueError:
            import difflib

            close = difflib.get_close_matches(name, self.features, n=3)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise DataError(
                f"unknown feature {name!r}; the data have {len(self.features)} features "
                f"({', '.join(self.features[:8])}{', ...' if len(self.features) > 8 else ''}){hint}"
            ) from None

    def with_status(self, status: np.ndarray) -> "PlanningData":
        """Copy with another status vector (0 free, 1 locked in, 2 locked out)."""
        return PlanningData.from_arrays(
            cost=self.cost, features=self.rij, feature_names=self.features, ids=self.ids,
            area=self.area, jurisdiction=self.jurisdiction, status=status,
            boundary=self.boundary, connectivity=self.connectivity, grid=self.grid, geometry=self.geometry,
            units=self.units,
        )

    def with_connectivity(self, name: str, matrix) -> "PlanningData":
        """Copy with one more (or a replaced) connectivity matrix ``name`` (n x n, >= 0)."""
        conn = dict(self.connectivity or {})
        conn[name] = matrix
        return PlanningData.from_arrays(
            cost=self.cost, features=self.rij, feature_names=self.features, ids=self.ids,
            area=self.area, jurisdiction=self.jurisdiction, status=self.status,
            boundary=self.boundary, connectivity=conn, grid=self.grid, geometry=self.geometry,
            units=self.units,
        )

    def split_by_jurisdiction(self, separator: str = "@") -> "PlanningData":
        """Copy in which every feature is split into one feature per jurisdiction
        (``"markhor@TKM"``, ``"markhor@UZB"``), dropping parts with no amount, so that
        targets can be met within each jurisdiction separately."""
        if self.jurisdiction is None:
            raise DataError("splitting features by jurisdiction needs a jurisdiction layer")
        blocks, names = [], []
        for label in self.jurisdictions:
            mask = (self.jurisdiction == label).astype(np.float64)
            part = (self.rij @ sp.diags(mask)).tocsr()
            keep = np.flatnonzero(np.asarray(part.sum(axis=1)).ravel() > 0)
            blocks.append(part[keep])
            names += [f"{self.features[j]}{separator}{label}" for j in keep]
        order = np.argsort([n.split(separator)[0] for n in names], kind="stable")
        rij = sp.vstack(blocks, format="csr")[order]
        return PlanningData.from_arrays(
            cost=self.cost, features=rij, feature_names=[names[k] for k in order], ids=self.ids, area=self.area,
            jurisdiction=self.jurisdiction, status=self.status, boundary=self.boundary,
            connectivity=self.connectivity, grid=self.grid, geometry=self.geometry, units=self.units,
            negative_features=[n for n in names if n.split(separator)[0] in
                               set(np.array(self.features)[self.signed_features].tolist())])

    def to_grid(self, values: np.ndarray, name: str = "value"):
        """Map a per-PU vector back onto the grid as an :class:`xarray.DataArray`.

        Cells that are not PUs are NaN. Raises :class:`DataError` when the data have no grid.
        """
        import xarray as xr

        if self.grid is None:
            raise DataError("these planning data have no grid; use the PU ids to join results instead")
        values = np.asarray(values, dtype=np.float64)
        flat = np.full(int(np.prod(self.grid.shape)), np.nan)
        flat[self.grid.flat_index] = values
        return xr.DataArray(
            flat.reshape(self.grid.shape), dims=self.grid.dims,
            coords={d: self.grid.coords[d] for d in self.grid.dims},
            name=name, attrs=dict(self.grid.attrs),
        )

    # ------------------------------------------------------------ constructors
    @classmethod
    def from_arrays(
        cls,
        cost,
        features,
        feature_names: Sequence[str] | None = None,
        *,
        ids=None,
        area=None,
        jurisdiction=None,
        status=None,
        locked_in=None,
        locked_out=None,
        boundary=None,
        connectivity: Mapping[str, object] | None = None,
        grid: GridMapping | None = None,
        geometry=None,
        units: Mapping[str, str] | None = None,
        data_totals=None,
        negative_features: Sequence[str] = (),
    ) -> "PlanningData":
        """Build from arrays.

        Parameters
        ----------
        cost: (n,) non-negative costs.
        features: mapping ``name -> (n,) amounts``, or an (m, n) dense/sparse matrix with
            ``feature_names``.
        ids: (n,) unique PU identifiers; default ``0..n-1``.
        area: (n,) areas (default 1 per PU).
        jurisdiction: (n,) labels, or ``None``.
        status: (n,) 0 free / 1 locked in / 2 locked out; or use ``locked_in`` / ``locked_out``
            boolean masks.
        boundary: (n, n) symmetric matrix, diagonal = exposed edge.
        connectivity: named (n, n) matrices.
        units: unit per quantity (``cost``, ``area``, ``boundary``, feature names), for reports.
        negative_features: names of features whose amounts may be negative (e.g. a threat layer
            whose presence counts against a plan); any other negative amount is an error.
        data_totals: (m,) per feature, its total over every cell with data (planning units and
            cells that are not, e.g. NaN-cost cells of a grid): the base of relative targets
            ``relative_to="all_data"``; at least the total over the units.
        """
        cost_arr = np.asarray(cost)
        if cost_arr.ndim != 1:
            raise DataError(f"cost: expected a 1-D array (one value per PU), got shape {cost_arr.shape}")
        n = cost_arr.shape[0]
        if n == 0:
            raise DataError("cost: there are no planning units (empty cost array)")
        ids_arr = np.arange(n) if ids is None else np.asarray(ids)
        if ids_arr.shape != (n,):
            raise DataError(f"ids: expected {n} PU ids, got shape {ids_arr.shape}")
        uniq, counts = np.unique(ids_arr, return_counts=True)
        if (counts > 1).any():
            raise DataError(f"ids: duplicate PU ids {', '.join(map(str, uniq[counts > 1][:5]))}; ids must be unique")
        cost_arr = _vector("cost", cost_arr, n, ids_arr)
        area_arr = np.ones(n) if area is None else _vector("area", area, n, ids_arr)

        # features
        if isinstance(features, Mapping):
            names = tuple(str(k) for k in features)
            rows = []
            for name, v in features.items():
                if sp.issparse(v):
                    v = np.asarray(v.todense()).ravel()
                rows.append(sp.csr_matrix(_vector(f"feature {name!r}", v, n, ids_arr,
                                                  allow_negative=str(name) in negative_features,
                                                  hint=" (list a feature meant to be negative, e.g. a threat, in "
                                                       "negative_features)").reshape(1, n)))
            rij = sp.vstack(rows, format="csr") if rows else sp.csr_matrix((0, n))
        else:
            rij = sp.csr_matrix(features, dtype=np.float64)
            if feature_names is None:
                raise DataError("feature_names: required when features is a matrix")
            names = tuple(str(f) for f in feature_names)
            if rij.shape != (len(names), n):
                raise DataError(
                    f"features: expected a ({len(names)} features x {n} PUs) matrix, got {rij.shape}"
                )
            if not np.isfinite(rij.data).all():
                bad_rows = np.unique(np.repeat(np.arange(rij.shape[0]), np.diff(rij.indptr))[~np.isfinite(rij.data)])
                raise DataError(f"features: NaN or infinite amounts for feature(s) {[names[i] for i in bad_rows[:5]]}")
            bad_rows = np.unique(np.repeat(np.arange(rij.shape[0]), np.diff(rij.indptr))[rij.data < 0])
            bad_rows = [i for i in bad_rows if names[i] not in negative_features]
            if bad_rows:
                raise DataError(f"features: negative amounts for feature(s) {[names[i] for i in bad_rows[:5]]}; "
                                "amounts must be >= 0 (list a feature meant to be negative, e.g. a threat, in "
                                "negative_features)")
        blank = [k for k, x in enumerate(names) if not x.strip()]
        if blank:
            raise DataError(f"features: feature {blank[0] + 1} has an empty name; give every feature a name")
        if len(set(names)) != len(names):
            dup = sorted({x for x in names if names.count(x) > 1})
            raise DataError(f"features: duplicate feature names {dup}")
        rij = rij.tocsr()
        rij.eliminate_zeros()
        rij.sort_indices()

        # jurisdiction
        jur = None
        if jurisdiction is not None:
            jur = np.asarray(jurisdiction, dtype=object)
            if jur.shape != (n,):
                raise DataError(f"jurisdiction: expected {n} labels, got shape {jur.shape}")
            import pandas as pd

            missing = pd.isna(jur)
            if missing.any():
                raise DataError(
                    f"jurisdiction: {int(missing.sum())} PU(s) have no jurisdiction label "
                    f"(PU ids {_describe_ids(ids_arr, missing)}); give every PU a label"
                )
            jur = jur.astype(str)

        # status
        st = np.zeros(n, dtype=np.int8) if status is None else np.asarray(status)
        if st.shape != (n,):
            raise DataError(f"status: expected {n} values, got shape {st.shape}")
        bad = ~np.isin(st, (FREE, LOCKED_IN, LOCKED_OUT))
        if bad.any():
            raise DataError(
                f"status: values must be 0 (free), 1 (locked in) or 2 (locked out); "
                f"found {sorted(set(st[bad].tolist()))[:5]} at PU ids {_describe_ids(ids_arr, bad)}"
            )
        st = st.astype(np.int8).copy()
        for label, mask, code in (("locked_in", locked_in, LOCKED_IN), ("locked_out", locked_out, LOCKED_OUT)):
            if mask is None:
                continue
            m = np.asarray(mask, dtype=bool)
            if m.shape != (n,):
                raise DataError(f"{label}: expected a boolean mask of {n} values, got shape {m.shape}")
            st[m] = code
        both = (np.asarray(locked_in, dtype=bool) if locked_in is not None else np.zeros(n, bool)) & (
            np.asarray(locked_out, dtype=bool) if locked_out is not None else np.zeros(n, bool)
        )
        if both.any():
            raise DataError(
                f"locked_in and locked_out overlap at PU ids {_describe_ids(ids_arr, both)}; "
                "a unit cannot be both; remove it from one of the layers"
            )

        bnd = None if boundary is None else _square("boundary", boundary, n, symmetric=True)
        conn = {str(k): _square(f"connectivity {k!r}", v, n, symmetric=False) for k, v in (connectivity or {}).items()}
        if grid is not None and grid.flat_index.shape != (n,):
            raise DataError(f"grid: flat_index has {grid.flat_index.shape[0]} entries for {n} PUs")
        if geometry is not None and len(geometry) != n:
            raise DataError(f"geometry: {len(geometry)} polygons for {n} PUs")
        totals = None
        if data_totals is not None:
            totals = np.asarray(data_totals, dtype=np.float64)
            pu_totals = np.asarray(rij.sum(axis=1)).ravel()
            if totals.shape != (len(names),) or not np.isfinite(totals).all() or (
                    totals < pu_totals - 1e-9 * np.maximum(1.0, np.abs(pu_totals))).any():
                raise DataError("data_totals: one finite total per feature, at least its total over the planning units")
        return cls(ids=ids_arr, cost=cost_arr, area=area_arr, status=st, features=names, rij=rij,
                   jurisdiction=jur, boundary=bnd, connectivity=conn, grid=grid, geometry=geometry,
                   units=_units(units or {}), data_totals=totals)

    @classmethod
    def from_tables(cls, pu, rij, boundary=None, features: Sequence[str] | None = None) -> "PlanningData":
        """Build from pandas tables (see :func:`scp.data.io.tables.table_arrays`)."""
        from .io.tables import table_arrays

        return cls.from_arrays(**table_arrays(pu, rij, boundary=boundary, features=features))

    @classmethod
    def from_xarray(
        cls,
        dataset,
        cost: str = "cost",
        features: Sequence[str] | None = None,
        *,
        area: str | None = None,
        jurisdiction: str | None = None,
        locked_in: str | Sequence[str] | None = None,
        locked_out: str | Sequence[str] | None = None,
        boundary: bool = True,
        negative_features: Sequence[str] = (),
    ) -> "PlanningData":
        """Build from a 2-D gridded :class:`xarray.Dataset` (or mapping of DataArrays).

        Every cell whose cost is finite is a PU; NaN-cost cells are not PUs and never
        become variables. Feature NaN inside a PU is an error (fill absent with 0).

        Parameters
        ----------
        dataset: the layers, all on the same 2-D grid.
        cost: name of the cost layer.
        features: names of feature layers (default: every layer not used for anything else).
        area: name of an area layer (default: cell area from the coordinate spacing).
        jurisdiction: name of a layer of jurisdiction labels: strings, or integer codes named by
            CF attributes ``flag_values`` / ``flag_meanings`` (e.g. ``1 2`` / ``"TKM UZB"``).
        locked_in, locked_out: names of one or more boolean/0-1 layers (combined with "or").
        boundary: build the 4-neighbour boundary matrix from the grid.
        negative_features: feature layers whose values may be negative (e.g. a threat).
        """
        from .grid import grid_arrays

        return cls.from_arrays(**grid_arrays(dataset, cost, features, area=area, jurisdiction=jurisdiction,
                                             locked_in=locked_in, locked_out=locked_out, boundary=boundary),
                               negative_features=negative_features)
