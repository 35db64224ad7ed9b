"""Target-setting methods: a target per feature from the size of its distribution.

Every method takes the features' totals ``a_j`` as areas in km² (amounts are converted from the
data's area unit: km2, ha or m2) and returns absolute targets in the data's unit; each target is
capped at ``cap`` km² (Butchart et al. 2015; 1,000,000 km² by default, ``None`` for no cap) and
never exceeds the feature's total.

* ``rodrigues`` (Rodrigues et al. 2004): a share of ``rare_target`` (100%) below
  ``rare_area`` (1,000 km²), ``common_target`` (10%) above ``common_area`` (250,000 km²),
  log-linearly interpolated in between: ``share = rare + (log a - log rare_area) /
  (log common_area - log rare_area) (common - rare)``.
* ``watson`` (Watson et al. 2010): below ``rare_area`` (10,000 km²) the smaller of
  ``rare_target`` x a (100%) and ``rare_amount`` (1,000 km²); otherwise ``common_target`` x a (10%).
* ``red_list`` (IUCN Red List criteria; Jung et al. 2021, Ward et al. 2025): with the
  status's thresholds for range size (criterion B1 extent of occurrence: CR 100, EN 5,000, VU
  20,000 km²; B2 area of occupancy: CR 10, EN 500, VU 2,000 km²) and population reduction
  (A1: CR 90%, EN 70%, VU 50%; A2-A4: CR 80%, EN 50%, VU 30%), the target is
  ``max`` (or ``min``) of ``size (1 + uplift)`` and ``a (1 - reduction) (1 + uplift)``: enough for
  the species to be at worst of that status.
* ``jung`` (Jung et al. 2021): ``red_list`` with VU, A2, B2, a 10% uplift, ``max``
  (2,200 km² or 77% of the range, whichever is larger).
* ``ward`` (Ward et al. 2025): ``red_list`` with CR, A2, B1, no uplift, ``max``.
* ``relative`` (a share of every total) and ``absolute`` (an amount), for per-feature choices.

These follow the definitions gathered in prioritizr's ``spec_*_targets`` (``R/spec_rodrigues_targets.R``,
``R/spec_watson_targets.R``, ``R/spec_jung_targets.R``, ``R/spec_ward_targets.R``,
``R/spec_rl_species_targets.R``), which were read to match them. They were designed for species
ranges at global (Rodrigues, Jung) or national (Watson, Ward) scale: at a smaller scale they may
select much of the region.

References
----------
Rodrigues et al. (2004) BioScience 54:1092-1100; Watson et al. (2010) Conservation Biology
25:324-332; Jung et al. (2021) Nature Ecology and Evolution 5:1499-1509; Ward et al. (2025)
PNAS 122:e2414985122; Butchart et al. (2015) Conservation Letters 8:329-337; IUCN (2025) Red
List categories and criteria.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from ..errors import ScenarioError

AREA_UNITS = {"km2": 1.0, "ha": 0.01, "m2": 1e-6}
REDUCTION = {("CR", "A1"): 0.9, ("EN", "A1"): 0.7, ("VU", "A1"): 0.5,
             **{(s, a): v for a in ("A2", "A3", "A4") for s, v in (("CR", 0.8), ("EN", 0.5), ("VU", 0.3))}}
SIZE = {("CR", "B1"): 100.0, ("EN", "B1"): 5000.0, ("VU", "B1"): 20000.0,
        ("CR", "B2"): 10.0, ("EN", "B2"): 500.0, ("VU", "B2"): 2000.0}
METHODS = ("rodrigues", "watson", "red_list", "jung", "ward", "relative", "absolute")


def _finish(t_km2: np.ndarray, a_km2: np.ndarray, cap: float | None) -> np.ndarray:
    t = np.asarray(t_km2, dtype=np.float64)
    if cap is not None:
        t = np.minimum(t, float(cap))
    return np.minimum(t, a_km2)


def rodrigues(a: np.ndarray, rare_area: float = 1000.0, rare_target: float = 1.0, common_area: float = 250000.0,
              common_target: float = 0.1, cap: float | None = 1e6) -> np.ndarray:
    """Targets in km² for totals ``a`` in km² (module docstring)."""
    if not 0 < rare_area < common_area:
        raise ScenarioError(f"rare_area {rare_area:g} must be > 0 and below common_area {common_area:g}",
                            "target_methods.rodrigues")
    a = np.asarray(a, dtype=np.float64)
    with np.errstate(divide="ignore"):
        frac = (np.log(np.maximum(a, 1e-300)) - np.log(rare_area)) / (np.log(common_area) - np.log(rare_area))
    share = rare_target + np.clip(frac, 0.0, 1.0) * (common_target - rare_target)
    return _finish(share * a, a, cap)


def watson(a: np.ndarray, rare_area: float = 10000.0, rare_target: float = 1.0, rare_amount: float = 1000.0,
           common_target: float = 0.1, cap: float | None = 1e6) -> np.ndarray:
    """Targets in km² for totals ``a`` in km² (module docstring)."""
    a = np.asarray(a, dtype=np.float64)
    t = np.where(a < rare_area, np.minimum(rare_target * a, rare_amount), common_target * a)
    return _finish(t, a, cap)


def red_list(a: np.ndarray, status: str = "VU", criterion_a: str = "A2", criterion_b: str = "B2",
             uplift: float = 0.0, method: str = "max", cap: float | None = 1e6) -> np.ndarray:
    """Targets in km² for totals ``a`` in km² (module docstring)."""
    status, criterion_a, criterion_b = str(status).upper(), str(criterion_a).upper(), str(criterion_b).upper()
    if (status, criterion_a) not in REDUCTION or (status, criterion_b) not in SIZE:
        raise ScenarioError(f"status {status!r} with criteria {criterion_a!r}, {criterion_b!r}: use status CR, EN or "
                            "VU, criterion_a A1-A4 and criterion_b B1 or B2", "target_methods.red_list")
    if method not in ("max", "min") or not np.isfinite(uplift) or uplift < 0:
        raise ScenarioError("method must be 'max' or 'min' and uplift a share >= 0", "target_methods.red_list")
    a = np.asarray(a, dtype=np.float64)
    size = SIZE[(status, criterion_b)] * (1.0 + uplift)
    part = a * (1.0 - REDUCTION[(status, criterion_a)]) * (1.0 + uplift)
    t = np.maximum(size, part) if method == "max" else np.minimum(size, part)
    return _finish(t, a, cap)


def jung(a: np.ndarray, status: str = "VU", uplift: float = 0.1, cap: float | None = 1e6) -> np.ndarray:
    return red_list(a, status, "A2", "B2", uplift, "max", cap)


def ward(a: np.ndarray, status: str = "CR", cap: float | None = 1e6) -> np.ndarray:
    return red_list(a, status, "A2", "B1", 0.0, "max", cap)


FUNCTIONS = {"rodrigues": rodrigues, "watson": watson, "red_list": red_list, "jung": jung, "ward": ward}


def method_targets(totals: np.ndarray, spec, area_unit: str = "km2", where: str = "target_methods") -> np.ndarray:
    """Absolute targets (in the data's unit) for ``totals`` by the method ``spec``: a name, or a
    mapping with ``method`` and its parameters (``{"method": "relative", "value": 0.3}``)."""
    if area_unit not in AREA_UNITS:
        raise ScenarioError(f"area unit {area_unit!r}: use one of {list(AREA_UNITS)}", f"{where}.area_unit")
    params = {"method": spec} if isinstance(spec, str) else dict(spec or {})
    name = params.pop("method", None)
    if name not in METHODS:
        raise ScenarioError(f"unknown target method {name!r}; use one of {list(METHODS)}", where)
    totals = np.asarray(totals, dtype=np.float64)
    if name in ("relative", "absolute"):
        try:
            v = float(params.pop("value"))
        except (KeyError, TypeError, ValueError):
            raise ScenarioError(f"method {name} needs a number 'value'", where) from None
        if params:
            raise ScenarioError(f"unknown parameter(s) {sorted(params)} for method {name}", where)
        if not np.isfinite(v) or v < 0 or (name == "relative" and v > 1):
            raise ScenarioError(f"value {v} must be {'a share in [0, 1]' if name == 'relative' else 'an amount >= 0'}",
                                where)
        return v * totals if name == "relative" else np.minimum(np.full(totals.shape, v), totals)
    k = AREA_UNITS[area_unit]
    try:
        t_km2 = FUNCTIONS[name](totals * k, **params)
    except TypeError as exc:
        raise ScenarioError(f"method {name}: {exc}", where) from None
    return t_km2 / k


def auto_targets(features, totals: np.ndarray, methods: Mapping[str, object], default=None,
                 area_unit: str = "km2") -> dict[str, float]:
    """Per feature, the absolute target of its method (``methods[feature]``, else ``default``);
    features with neither get none (prioritizr's ``add_auto_targets``)."""
    out = {}
    features = list(features)
    unknown = sorted(set(methods) - set(features))
    if unknown:
        raise ScenarioError(f"unknown feature(s) {unknown[:5]}", "target_methods.features")
    for j, f in enumerate(features):
        spec = methods.get(f, default)
        if spec is not None:
            out[f] = float(method_targets(totals[j:j + 1], spec, area_unit,
                                          f"target_methods.features.{f}" if f in methods else "target_methods.default")[0])
    return out
