"""Boundary matrices and boundary length."""

from __future__ import annotations

import numpy as np

from scp.data.boundary import boundary_length, grid_boundary


def test_grid_boundary_full_grid():
    B = grid_boundary(np.ones((2, 3), bool), dx=2.0, dy=1.0).toarray()
    # cell 0 (corner): right neighbour shares dy=1, lower neighbour shares dx=2
    assert B[0, 1] == 1.0 and B[0, 3] == 2.0 and B[0, 4] == 0.0
    perimeter = 2 * (2.0 + 1.0)
    np.testing.assert_allclose(np.diag(B) + (B - np.diag(np.diag(B))).sum(axis=1), perimeter)
    np.testing.assert_array_equal(B, B.T)


def test_grid_boundary_mask_exposes_edges():
    mask = np.array([[True, False], [True, True]])
    B = grid_boundary(mask).toarray()  # units: (0,0)->0, (1,0)->1, (1,1)->2
    np.testing.assert_array_equal(np.diag(B), [3, 2, 3])
    assert B[0, 1] == 1 and B[1, 2] == 1 and B[0, 2] == 0


def test_boundary_length_of_selections():
    B = grid_boundary(np.ones((1, 3), bool))
    assert boundary_length(B, [1, 0, 0]) == 4
    assert boundary_length(B, [1, 1, 0]) == 6
    assert boundary_length(B, [1, 1, 1]) == 8
    assert boundary_length(B, [1, 0, 1]) == 8
    assert boundary_length(B, [0, 1, 0], edge_factor=0.5) == 1 + 2
