"""Scenario keys for the unit decisions (see :mod:`.schema` for the document): ``decisions`` and
``decision_bounds`` (:mod:`scp.problem.decisions`)."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from .schema_types import Strict


class DecisionsSpec(Strict):
    """``binary`` (take a unit or not), ``proportion`` (a share of each unit) or ``semicontinuous``
    (a share up to ``upper``)."""

    type: Literal["binary", "proportion", "semicontinuous"] = "binary"
    upper: float | None = None

    @model_validator(mode="after")
    def _upper(self):
        if (self.type == "semicontinuous") != (self.upper is not None):
            raise ValueError("give 'upper' (a share in (0, 1]) with type semicontinuous, and only then")
        if self.upper is not None and not 0 < self.upper <= 1:
            raise ValueError(f"upper {self.upper} must be in (0, 1]")
        return self


class DecisionBoundsSpec(Strict):
    """Per-unit bounds on the decisions from layers (values in [0, 1]; default 0 and 1)."""

    lower: str | None = None
    upper: str | None = None

    @model_validator(mode="after")
    def _some(self):
        if self.lower is None and self.upper is None:
            raise ValueError("give a 'lower' or an 'upper' layer (or both)")
        return self
