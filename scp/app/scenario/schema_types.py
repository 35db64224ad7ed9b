"""Base types of the scenario schema: strict models (unknown keys are errors) and checked numbers."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _share(v: float) -> float:
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{v:g} is not in [0, 1] (a share: 0.3 means 30%)")
    return v


def _non_negative(v: float | None) -> float | None:
    if v is not None and not v >= 0:
        raise ValueError(f"{v:g} must be >= 0")
    return v


Share = Annotated[float, AfterValidator(_share)]
NonNegative = Annotated[float, AfterValidator(_non_negative)]


def _finite(v: float | None) -> float | None:
    import math

    if v is not None and not math.isfinite(v):
        raise ValueError(f"{v!r} must be a finite number")
    return v


Finite = Annotated[float, AfterValidator(_finite)]  # a penalty factor: negative ones reverse its sense
