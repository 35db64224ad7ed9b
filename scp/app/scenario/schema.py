"""The scenario document schema (pydantic), checked before anything is loaded.

A scenario YAML file::

    name: koytendag_30x30
    title: Koytendag joint 30x30 plan   # optional: the report's heading (default: the name)
    description: Joint 30x30 plan
    extends: base.yaml                 # optional: inherit another scenario, override keys
    data:
      grid:                            # NetCDF (or GeoTIFF with scp[geo]) on one 2-D grid
        path: data/koytendag_1km.nc
        cost: cost                     # layer names
        features: all                  # or a list of layer names
        jurisdiction: country
        locked_in: [reserve]           # one or more 0/1 layers
        locked_out: [settlement]
        negative_features: [threat]    # optional: layers whose negative values count against a plan
      # or  vector: {path: pus.gpkg, id: id, cost: cost, features: all, jurisdiction: country}
      # or  tables: {pu: pu.csv, rij: rij.csv, boundary: bound.csv}
      # or  marxan: path/to/marxan/project
    objective: {type: min_set}         # or max_utility / min_shortfall / min_largest_shortfall /
                                       # max_features_met / max_cover / min_penalties, with budget
                                       # (and weights); max_phylo_diversity / max_phylo_endemism with
                                       # budget and tree: phylogeny.nwk (tips = features)
    targets:
      default: {relative: 0.3}         # {relative: 0.3, cap: 1000}: at most 1,000 of a feature
      markhor: {relative: 0.6}
    loglinear_targets: {lower_amount: 100, lower_target: 1.0, upper_amount: 10000, upper_target: 0.1}
                                       # optional: a target for every feature from its total (the
                                       # `targets:` entries override it)
    target_rules: {file: traits.csv, column: iucn, shares: {CR: 1.0, EN: 0.6, VU: 0.4, LC: 0.2}}
                                       # optional: relative targets by a feature attribute (CSV with
                                       # columns feature and iucn): over targets.default, under the
                                       # per-feature `targets:` entries
    target_methods: {area_unit: km2, default: jung, features: {markhor: ward},
                     file: traits.csv, column: method}   # optional: targets from range sizes by
                                       # rodrigues / watson / jung / ward / red_list (with parameters:
                                       # {method: rodrigues, common_target: 0.176}) or relative /
                                       # absolute ({method: relative, value: 0.3}); under `targets:`
    targets_within: region             # or jurisdiction: every country meets each target alone
    relative_to: planning_units        # relative targets: shares of each feature's total over the
                                       # planning units (default), or all_data: over every grid cell
                                       # with data, cost or not (as prioritizr)
    group_targets:                     # one target over several features together
      wetlands: {features: [tugai_riparian, marsh], relative: 0.3}
    coverage: {total: 0.3, per_jurisdiction: 0.3}
    budget: 1500
    boundary: {penalty: 0.5, edge_factor: 1.0}
    contiguity: selection              # or locked_in: every part joined to a reserve; or
                                       # {mode: selection, method: cuts}  (cuts: default; or flow)
    feature_contiguity: [markhor]      # the selected units holding each feature form one piece
    neighbours: {k: 2, directions: 4}  # every selected unit has >= k selected neighbours (clamp: true:
                                       # units with fewer neighbours need all of them)
    connectivity:                      # penalty on connectivity lost; matrix from a file or
      penalty: 0.5                     # from a resistance layer (dispersal kernel)
      resistance: {layer: resistance, dispersal_distance: 3000}
    linear_penalties:                  # penalty x the sum of a layer over the plan (e.g. footprint)
      footprint: {layer: human_footprint, penalty: 0.5}
    neighbour_penalty: {penalty: 0.2, directions: 4}   # a reward per pair of adjacent selected units
    corridors:                         # the selection joins two areas (through low resistance)
      ridge: {from: {layer: pa_id, values: [1]}, to: {layer: pa_id, values: [4]},
              resistance: resistance, weight: 0.1}
    zones:                             # optional: units go into one of several zones (or none)
      strict: {label: Strict protected area, cost: 1.0, locked_in: [reserve],
               coverage: {per_jurisdiction: 0.1}}          # floors: >= 10% strict in each country
      oecm: {label: OECM, cost: 0.4, contribution: {default: 0.5}, allowed_in: [pasture]}
    # with zones, coverage counts the zones with target3: true; boundary.zones gives the edge
    # costs (diagonal: edge to land in no zone; off-diagonal: edge between two zones)
    decisions: {type: proportion}      # or binary (default), or {type: semicontinuous, upper: 0.5}:
                                       # manage a share of each unit (costs and amounts pro rata)
    decision_bounds: {lower: committed_share, upper: max_share}   # per-unit bounds from layers
    indicators: {dispersal_distance: 10000}   # ECA / ProtConn in summary.json and the report
    solver: {name: highs, gap: 0.0, time_limit: 600, threads: null,
             formulation: pairs,          # or compact: penalty pairs linearised per unit
             warm_start: heuristic}       # default: LP relaxation + greedy selection first; or none
    units: {cost: USD, area: km2, boundary: m, markhor: occupied km2}   # optional: label tables
                                       # (default: the layers' 'units' attributes and the CRS)
    outputs: {dir: results/koytendag_30x30, hillshade: elevation, places: places.csv}

Unknown keys are errors. Paths resolve relative to the file that names them.
"""

from __future__ import annotations

from typing import Literal, Union

from pydantic import ConfigDict, Field, field_validator, model_validator


from .schema_types import Finite, NonNegative, Share, Strict
from .schema_decisions import DecisionBoundsSpec, DecisionsSpec
from .schema_targets import (GroupTargetSpec, LinearPenaltySpec, LoglinearTargets, NeighbourPenaltySpec,
                             TargetMethods, TargetRules)


class LayerSource(Strict):
    """Layers (grid variables or polygon attribute columns) shared by grid and vector sources."""

    path: str
    cost: str = "cost"
    features: Union[Literal["all"], list[str]] = "all"
    jurisdiction: str | None = None
    locked_in: list[str] = []
    locked_out: list[str] = []
    area: str | None = None
    boundary: bool = True

    @field_validator("locked_in", "locked_out", mode="before")
    @classmethod
    def _as_list(cls, v):
        return [v] if isinstance(v, str) else v


class GridSource(LayerSource):
    feature_path: str | None = None  # features from another file on the same grid
    negative_features: list[str] = []  # features whose amounts may be negative (e.g. a threat layer)


class VectorSource(LayerSource):
    # path: GeoPackage, Shapefile, GeoJSON... (needs scp[geo])
    layer: str | None = None
    id: str | None = None


class TableSource(Strict):
    pu: str
    rij: str
    boundary: str | None = None


class DataSection(Strict):
    grid: GridSource | None = None
    vector: VectorSource | None = None
    tables: TableSource | None = None
    marxan: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self):
        given = [k for k in ("grid", "vector", "tables", "marxan") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one data source (grid, vector, tables or marxan), found {given or 'none'}")
        return self


class Objective(Strict):
    type: Literal["min_set", "max_utility", "min_shortfall", "min_largest_shortfall", "max_features_met",
                  "max_cover", "min_penalties", "max_phylo_diversity", "max_phylo_endemism"] = "min_set"
    budget: NonNegative | None = None
    weights: dict[str, float] = {}
    tree: str | None = None  # Newick file over the features (max_phylo_diversity / max_phylo_endemism)


    @model_validator(mode="after")
    def _budget_needed(self):
        if self.type != "min_set" and self.budget is None:
            raise ValueError(f"objective {self.type} needs a budget")
        if self.type.startswith("max_phylo") != (self.tree is not None):
            raise ValueError("give 'tree' (a Newick file whose tips are the features) with max_phylo_diversity or "
                             "max_phylo_endemism, and only then")
        return self


class Target(Strict):
    relative: Share | None = None
    absolute: NonNegative | None = None
    cap: NonNegative | None = None  # relative targets: at most this amount (Butchart et al. 2015)


    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, v):
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return {"relative": v}
        return v

    @model_validator(mode="after")
    def _one(self):
        if (self.relative is None) == (self.absolute is None):
            raise ValueError("give exactly one of 'relative' (share of the total) or 'absolute' (amount)")
        if self.cap is not None and self.relative is None:
            raise ValueError("'cap' limits a relative target; it makes no sense with 'absolute'")
        return self


class Coverage(Strict):
    total: Share | None = None
    per_jurisdiction: Union[Share, dict[str, Share], None] = None



class Boundary(Strict):
    penalty: Finite = 0.0  # negative: spread the plan out (prioritizr's negative boundary penalty)
    edge_factor: Share = 1.0
    zones: list[list[NonNegative]] | None = None  # with zones: edge costs, zones x zones (see ZoneSpec)



class Resistance(Strict):
    """Connectivity matrix from a resistance layer: exp(-least-cost distance / dispersal_distance)."""

    layer: str                               # resistance per unit (> 0), a grid layer or vector column
    dispersal_distance: float                # alpha, in map units (e.g. metres)
    max_distance: float | None = None        # least-cost cut-off (default alpha * ln 1000)
    source_weight: str | None = None         # layer weighting flows out of each unit (asymmetric)
    directions: Literal[4, 8] | None = None  # grid default 8

    @field_validator("dispersal_distance", "max_distance")
    @classmethod
    def _positive(cls, v):
        if v is not None and not v > 0:
            raise ValueError(f"{v:g} must be > 0 (map units)")
        return v


class Connectivity(Strict):
    penalty: Finite = 0.0
    path: str | None = None  # .npz sparse matrix (scipy.sparse.save_npz) over the PUs in data order
    resistance: Resistance | None = None
    asymmetric: bool = False

    @model_validator(mode="after")
    def _one_source(self):
        if (self.path is None) == (self.resistance is None):
            raise ValueError("give exactly one of 'path' (an .npz matrix) or 'resistance' (a layer)")
        return self


class Area(Strict):
    """Planning units named by a layer's values, or by PU ids (optionally only in some jurisdictions)."""

    layer: str | None = None
    values: list[float] = []
    ids: list[int] = []
    jurisdictions: list[str] = []

    @model_validator(mode="after")
    def _one(self):
        if (self.layer is None) == (not self.ids):
            raise ValueError("give either 'layer' (with 'values', default: nonzero cells) or 'ids'")
        return self


class Corridor(Strict):
    from_: Area = Field(alias="from")
    to: Area
    resistance: str | None = None  # layer; default 1 everywhere
    weight: NonNegative = 0.0
    directions: Literal[4, 8] = 4
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ContiguityOptions(Strict):
    mode: Literal["selection", "locked_in"] = "selection"
    method: Literal["cuts", "flow"] = "cuts"


class Neighbours(Strict):
    k: int
    directions: Literal[4, 8] = 4
    clamp: bool = False  # a unit with fewer than k neighbours needs all of them (prioritizr's clamp)

    @field_validator("k")
    @classmethod
    def _k(cls, v):
        if v < 1:
            raise ValueError(f"{v} must be >= 1")
        return v


class Indicators(Strict):
    dispersal_distance: float  # ProtConn median dispersal distance, map units

    @field_validator("dispersal_distance")
    @classmethod
    def _positive(cls, v):
        if not v > 0:
            raise ValueError(f"{v:g} must be > 0 (map units)")
        return v



class Solver(Strict):
    name: str = "highs"
    gap: float = 0.0
    formulation: Literal["pairs", "compact"] = "pairs"  # linearisation of boundary/connectivity pairs
    warm_start: Literal["none", "heuristic"] = "heuristic"  # LP relaxation + greedy first (see scp.heuristic)
    time_limit: float | None = None
    threads: int | None = None

    @field_validator("gap")
    @classmethod
    def _gap(cls, v):
        if not 0 <= v < 1:
            raise ValueError(f"{v:g} is not in [0, 1) (0.01 means 1%)")
        return v

    @field_validator("time_limit")
    @classmethod
    def _tl(cls, v):
        if v is not None and not v > 0:
            raise ValueError(f"{v:g} must be > 0 seconds")
        return v

    @field_validator("threads")
    @classmethod
    def _th(cls, v):
        if v is not None and v < 1:
            raise ValueError(f"{v} must be >= 1")
        return v


class Outputs(Strict):
    dir: str | None = None
    map: bool = True
    report: bool = True
    hillshade: str | None = None  # an elevation layer of the grid file, drawn as relief under the map
    places: str | None = None  # CSV with columns name, x, y (map units) or name, lon, lat: labelled on the map


class ZoneSpec(Strict):
    """One management zone (scp.problem.zoned): its cost, what it counts for, where it may go."""

    label: str | None = None                  # the report's name for it, e.g. "OECM (illustrative)"
    cost: Union[NonNegative, str] = 1.0       # a multiplier of the data's cost, or a cost layer
    contribution: Union[NonNegative, dict[str, NonNegative]] = 1.0  # share of a unit's amounts that
                                              # counts here: one number, or {default: w, feature: w}
    target3: bool = True                      # counts for coverage (GBF Target 3: PAs and OECMs)
    locked_in: list[str] = []                 # 0/1 layers: units put in this zone
    allowed_in: list[str] = []                # 0/1 layers: the zone only where one of them is 1
    coverage: Coverage | None = None          # floors: at least this share of the area in this zone
    targets: dict[str, Target] = {}           # targets counted in this zone only


class Scenario(Strict):
    name: str
    title: str | None = None
    description: str = ""
    units: dict[str, str] = {}
    data: DataSection
    objective: Objective = Objective()
    targets: dict[str, Target] = {}
    targets_within: Literal["region", "jurisdiction"] = "region"
    relative_to: Literal["planning_units", "all_data"] = "planning_units"
    coverage: Coverage | None = None
    budget: NonNegative | None = None
    boundary: Boundary | None = None
    connectivity: Connectivity | None = None
    contiguity: Union[Literal["selection", "locked_in"], ContiguityOptions, None] = None
    feature_contiguity: list[str] = []
    neighbours: Neighbours | None = None
    corridors: dict[str, Corridor] = {}
    linear_penalties: dict[str, LinearPenaltySpec] = {}
    neighbour_penalty: NeighbourPenaltySpec | None = None
    group_targets: dict[str, GroupTargetSpec] = {}
    loglinear_targets: LoglinearTargets | None = None
    target_rules: TargetRules | None = None
    target_methods: TargetMethods | None = None
    zones: dict[str, ZoneSpec] = {}
    decisions: DecisionsSpec = DecisionsSpec()
    decision_bounds: DecisionBoundsSpec | None = None
    indicators: Indicators | None = None
    solver: Solver = Solver()
    outputs: Outputs = Outputs()

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip() or any(c in v for c in "/\\\0") or v.strip(". ") == "":
            raise ValueError(f"{v!r} must be a non-empty name without slashes that is not '.' or '..' "
                             "(it names the results folder, e.g. koytendag_30x30)")
        return v
