"""Tiles for planning units known only by a point (Marxan ``xloc``/``yloc``): the Voronoi cell
of each point, clipped to a disc, so hexagon or square grids draw as gap-free tiles.

The clip radius is 0.75 x the median nearest-neighbour distance ``s``: a regular hexagon
around its centre reaches ``s / sqrt(3) ~ 0.58 s`` and a square ``s / sqrt(2) ~ 0.71 s``, so
regular tiles are kept whole while cells on the edge of the region do not spread outwards.
"""

from __future__ import annotations

import numpy as np


def voronoi_tiles(xy: np.ndarray):
    """Polygons (a shapely array, one per point, in the points' order), or None without shapely
    or with fewer than 3 distinct points."""
    try:
        import shapely
    except ImportError:
        return None
    from scipy.spatial import cKDTree

    xy = np.asarray(xy, dtype=np.float64)
    if len(xy) < 3 or len(np.unique(xy, axis=0)) < len(xy):
        return None
    d, _ = cKDTree(xy).query(xy, k=2)
    s = float(np.median(d[:, 1]))
    if not s > 0:
        return None
    pts = shapely.points(xy)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), ordered=True,
                                                       extend_to=shapely.box(*(xy.min(0) - 2 * s), *(xy.max(0) + 2 * s))))
    if len(cells) != len(xy) or not shapely.contains(cells, pts).all():
        return None
    return shapely.intersection(cells, shapely.buffer(pts, 0.75 * s, quad_segs=8))
