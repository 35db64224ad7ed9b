"""The categories every map, raster, GeoPackage and QGIS style of a plan shares.

Each planning unit is in one category: 0 not selected, 1 added by the plan (selected, not
locked in), 2 existing reserve (locked in, hence selected), 3 locked out. Cells of a grid
that are not planning units are no-data (255 in rasters).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Category:
    code: int
    slug: str  # the value in solution.csv / the GeoPackage
    label: str  # the legend text
    colour: str  # hex RGB


CATEGORIES = (
    Category(0, "not_selected", "not selected", "#ece7d5"),
    Category(1, "selected", "added by the plan", "#2e8b57"),
    Category(2, "locked_in", "existing reserve (locked in)", "#1f3a93"),
    Category(3, "locked_out", "locked out", "#b03a2e"),
)
NODATA = 255
NODATA_COLOUR, NODATA_LABEL = "#bdbdbd", "outside the planning region (no data)"


def selection_categories(solution) -> np.ndarray:
    """Category code per planning unit (see module docstring)."""
    from ..problem.constraints import status_masks

    li, lo = status_masks(solution.problem.data, solution.problem.constraints)
    cat = solution.selection.astype(np.int8)
    cat[li] = 2
    cat[lo] = 3
    return cat


def category_slugs(codes: np.ndarray) -> np.ndarray:
    return np.array([c.slug for c in CATEGORIES])[codes]
