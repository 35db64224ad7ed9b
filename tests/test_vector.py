"""Polygon planning units: shared-edge boundary matrix and a vector scenario end to end."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

geopandas = pytest.importorskip("geopandas")
shapely = pytest.importorskip("shapely")

import scp  # noqa: E402
from scp.app.cli import main  # noqa: E402
from scp.data.io.vector import from_geodataframe, polygon_boundary  # noqa: E402


def squares(rows: int, cols: int, size: float = 2.0):
    return [shapely.box(c * size, -(r + 1) * size, (c + 1) * size, -r * size) for r in range(rows) for c in range(cols)]


def test_polygon_boundary_equals_grid_boundary_on_squares():
    B = polygon_boundary(squares(3, 4)).toarray()
    G = scp.boundary.grid_boundary(np.ones((3, 4), bool), dx=2.0, dy=2.0).toarray()
    np.testing.assert_allclose(B, G)


def test_polygon_boundary_irregular_shapes():
    # an L-shaped unit beside a square: they share 1 unit of edge; a far square shares nothing
    l_shape = shapely.Polygon([(0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2)])
    square = shapely.box(1, 1, 2, 2)
    far = shapely.box(5, 5, 6, 6)
    B = polygon_boundary([l_shape, square, far]).toarray()
    assert B[0, 1] == pytest.approx(2.0)  # the square sits in the L's notch: two unit edges
    assert B[0, 2] == 0 and B[1, 2] == 0
    np.testing.assert_allclose(np.diag(B), [8 - 2, 4 - 2, 4])


def make_gpkg(path):
    rng = np.random.default_rng(0)
    geoms = squares(4, 5, size=1000.0)
    n = len(geoms)
    gdf = geopandas.GeoDataFrame({
        "pu_id": np.arange(100, 100 + n), "cost": rng.uniform(1, 5, n), "sp_a": rng.integers(0, 3, n).astype(float),
        "sp_b": rng.random(n), "country": np.where(np.arange(n) % 5 < 2, "TKM", "UZB"),
        "reserve": (np.arange(n) == 7).astype(int)}, geometry=geoms, crs="EPSG:32642")
    gdf.to_file(path, layer="pus", driver="GPKG")
    return gdf


def vector_document() -> dict:
    """A scenario over the units of :func:`make_gpkg` (file ``pus.gpkg`` beside it)."""
    return {"name": "poly", "data": {"vector": {"path": "pus.gpkg", "id": "pu_id", "cost": "cost",
                                                "features": ["sp_a", "sp_b"], "jurisdiction": "country",
                                                "locked_in": "reserve"}},
            "targets": {"default": 0.4}, "coverage": {"per_jurisdiction": 0.3}, "boundary": {"penalty": 0.001}}


def test_vector_scenario_end_to_end(tmp_path):
    gdf = make_gpkg(tmp_path / "pus.gpkg")
    doc = vector_document()
    (tmp_path / "poly.yaml").write_text(yaml.safe_dump(doc))
    out = tmp_path / "res"
    assert main(["run", str(tmp_path / "poly.yaml"), "--out", str(out), "--quiet"]) == 0
    for name in ("solution.gpkg", "solution.csv", "map.png", "summary.json", "report.html"):
        assert (out / name).is_file(), name
    sol = geopandas.read_file(out / "solution.gpkg")
    data = from_geodataframe(gdf, cost="cost", features=["sp_a", "sp_b"], id="pu_id", jurisdiction="country",
                             locked_in=["reserve"])
    problem = (scp.Problem(data).relative_targets(0.4).coverage(0.3, by="jurisdiction").boundary_penalty(0.001))
    ev = scp.evaluate(problem, sol["selected"].to_numpy().astype(bool))
    assert ev.feasible and sol["selected"].iloc[7] == 1
    best = problem.solve()
    assert ev.objective == pytest.approx(best.objective)
