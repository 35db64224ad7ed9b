"""Shared fixtures: a 4-PU toy used by the compile tests."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import scp


@pytest.fixture
def toy() -> scp.PlanningData:
    """Four PUs in a 2x2 grid (ids 10..13), two features, two jurisdictions.

    Layout (positions)::

        0 1        A A
        2 3        B B
    """
    boundary = scp.boundary.grid_boundary(np.ones((2, 2), dtype=bool))
    return scp.PlanningData.from_arrays(
        cost=[1.0, 2.0, 3.0, 4.0],
        features={"sp1": [1.0, 0.0, 2.0, 1.0], "sp2": [0.0, 3.0, 1.0, 0.0]},
        ids=[10, 11, 12, 13],
        area=[1.0, 1.0, 2.0, 2.0],
        jurisdiction=["A", "A", "B", "B"],
        boundary=boundary,
        connectivity={"flow": sp.csr_matrix(np.array([[0, 2, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0], [3, 0, 0, 0.0]]))},
    )
