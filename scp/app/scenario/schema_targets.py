"""Scenario keys for target-setting methods and per-unit penalties (see :mod:`.schema` for the
document): ``target_rules``, ``loglinear_targets``, ``group_targets``, ``linear_penalties``."""

from __future__ import annotations

from typing import Literal, Union

from pydantic import model_validator

from .schema_types import Finite, NonNegative, Share, Strict


class TargetRules(Strict):
    """Relative targets by a feature attribute from a CSV table (columns ``feature`` and ``column``)."""

    file: str
    column: str
    shares: dict[str, Share]


class LoglinearTargets(Strict):
    """Targets for every feature by log-linear interpolation on its total (Rodrigues et al. 2004)."""

    lower_amount: float
    lower_target: Share
    upper_amount: float
    upper_target: Share
    cap_amount: float | None = None
    cap_target: NonNegative | None = None


class GroupTargetSpec(Strict):
    """One target over several features together."""

    features: list[str]
    relative: Share | None = None
    absolute: NonNegative | None = None

    @model_validator(mode="after")
    def _one(self):
        if (self.relative is None) == (self.absolute is None):
            raise ValueError("give exactly one of 'relative' (share of the features' summed totals) or 'absolute'")
        return self


class LinearPenaltySpec(Strict):
    """A per-unit penalty layer in the objective: ``penalty * sum of the layer over the plan``."""

    layer: str
    penalty: Finite = 1.0


class NeighbourPenaltySpec(Strict):
    """A reward per pair of adjacent selected units (prioritizr's neighbour penalties)."""

    penalty: Finite
    directions: int = 4


class TargetMethods(Strict):
    """Targets from each feature's total by a method (scp.problem.target_methods): ``default`` for
    every feature, ``features`` per feature, or a CSV ``file`` with columns ``feature`` and
    ``column`` naming a method per feature; ``area_unit`` is the unit of the amounts."""

    area_unit: Literal["km2", "ha", "m2"] = "km2"
    default: Union[str, dict, None] = None
    features: dict[str, Union[str, dict]] = {}
    file: str | None = None
    column: str = "method"
