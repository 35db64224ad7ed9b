"""One way to write each kind of number in reports, tables and progress lines.

* quantities by magnitude: no decimals from 1,000 up, one from 10, two from 0.01, three
  significant digits below (``10,487``, ``254.3``, ``4.50``, ``0.00123``); counts (integers)
  without decimals;
* shares as percentages with one decimal (``33.7%``), everywhere;
* optimality gaps as percentages with three decimals (``0.005%``), everywhere;
* units after the value, with superscript squares (``km2`` -> ``km²``).
"""

from __future__ import annotations

import math

import numpy as np

SUPERSCRIPT = {"2": "²", "3": "³"}


def unit_text(unit: str | None) -> str:
    """``km2`` -> ``km²``, ``m2`` -> ``m²``; other units unchanged."""
    if not unit:
        return ""
    u = str(unit)
    for base in ("km", "m", "ha", "ft", "mi"):
        for p, s in SUPERSCRIPT.items():
            if u == f"{base}{p}" or u.endswith(f" {base}{p}"):
                return u[: -len(p)] + s
    return u


def is_number(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def num(v) -> str:
    """A quantity (see module docstring); ``-`` for missing or non-finite values."""
    if v is None:
        return "-"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if not is_number(v):
        return str(v)
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    f = float(v)
    if not math.isfinite(f):
        return "-"
    a = abs(f)
    if a >= 1000:
        return f"{f:,.0f}"
    if a >= 10:
        return f"{f:.1f}"
    if a >= 0.01 or a == 0:
        return f"{f:.2f}" if a else "0"
    return f"{f:.3g}"


def qty(v, unit: str | None = None) -> str:
    """A quantity with its unit (``4,291 km²``)."""
    s = num(v)
    u = unit_text(unit)
    return f"{s} {u}" if u and s != "-" else s


def pct(v) -> str:
    """A share (0.337) as a percentage with one decimal (``33.7%``)."""
    if v is None or not is_number(v) or not math.isfinite(float(v)):
        return "-"
    return f"{100 * float(v):.1f}%"


def gap(v) -> str:
    """A relative optimality gap as a percentage with three decimals (``0.005%``)."""
    if v is None or not is_number(v) or not math.isfinite(float(v)) or float(v) > 1e6:
        return "-"
    return f"{100 * float(v):.3f}%"


def status_text(status: str | None, gap_value=None) -> str:
    """Plain words for a status, with the proven gap when there is one."""
    g = gap(gap_value)
    if status == "optimal":
        return "proven optimal"
    if status == "within_gap":
        return f"proven within {g} of the optimum (within the requested gap)"
    if status == "time_limit":
        return "stopped at the time limit" + (f"; proven within {g} of the optimum" if g != "-" else "")
    return {"no_solution": "no plan found", "infeasible": "proven infeasible", "unbounded": "unbounded",
            "error": "solver error"}.get(str(status), str(status))
