"""GIS outputs open in geopandas/rioxarray with their CRS, no-data and the plan's values;
solution.csv carries coordinates; QGIS styles parse; maps are 300 dpi PNG + SVG; point-only
units draw as Voronoi tiles."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
import xarray as xr

geopandas = pytest.importorskip("geopandas")
rioxarray = pytest.importorskip("rioxarray")

from scenario_fixtures import base_document, write_landscape, write_scenario  # noqa: E402
from scp.app.cli import main  # noqa: E402
from scp.app.gis import raster_qml, vector_qml  # noqa: E402
from scp.app.legend import CATEGORIES, NODATA  # noqa: E402
from scp.app.maps.tiles import voronoi_tiles  # noqa: E402

CRS = "EPSG:32642"  # UTM 42N: the Koytendag area


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gis")
    path = write_landscape(str(folder))
    with xr.open_dataset(path) as ds:
        ds = ds.load()
    ds = ds.assign_coords(x=ds.x + 500_000.0, y=ds.y + 4_180_000.0)
    ds.attrs["crs"] = CRS
    ds.to_netcdf(path)
    out = folder / "res"
    assert main(["run", write_scenario(str(folder), base_document()), "--out", str(out), "--quiet"]) == 0
    return out, pd.read_csv(out / "solution.csv")


def test_geotiffs_have_crs_nodata_colours_and_the_plan(run):
    out, table = run
    sel = rioxarray.open_rasterio(out / "solution.tif")
    assert sel.rio.crs.to_epsg() == 32642 and sel.rio.nodata == NODATA
    v = sel.values[0]
    assert (v == NODATA).sum() == 1  # the one cell that is not a planning unit
    assert int((v == 1).sum()) == int(table["selected"].sum())
    cat = rioxarray.open_rasterio(out / "categories.tif")
    c = cat.values[0]
    assert cat.rio.nodata == NODATA and set(np.unique(c)) <= {0, 1, 2, 3, NODATA}
    counts = table["category"].value_counts()
    for k in CATEGORIES:
        assert int((c == k.code).sum()) == int(counts.get(k.slug, 0))
    import rasterio

    with rasterio.open(out / "categories.tif") as src:
        cmap = src.colormap(1)
    assert cmap[1][:3] == tuple(int(CATEGORIES[1].colour[i:i + 2], 16) for i in (1, 3, 5))


def test_geopackage_of_grid_cells(run):
    out, table = run
    gdf = geopandas.read_file(out / "solution.gpkg", layer="solution")
    assert gdf.crs.to_epsg() == 32642 and len(gdf) == len(table)
    np.testing.assert_array_equal(gdf["selected"].to_numpy(), table["selected"].to_numpy())
    np.testing.assert_allclose(gdf.geometry.area, 1000.0 * 1000.0)  # 1 km cells
    np.testing.assert_allclose(gdf.geometry.centroid.x, table["x"])
    with sqlite3.connect(out / "solution.gpkg") as con:
        (qml, default), = con.execute("SELECT styleQML, useAsDefault FROM layer_styles WHERE f_table_name='solution'")
    assert default == 1 and "categorizedSymbol" in qml


def test_solution_csv_has_coordinates_and_lonlat(run):
    _, table = run
    assert {"x", "y", "lon", "lat"} <= set(table.columns)
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform(table["x"], table["y"])
    np.testing.assert_allclose(table["lon"], lon, atol=1e-6)
    np.testing.assert_allclose(table["lat"], lat, atol=1e-6)
    assert table["lat"].between(37, 39).all() and table["lon"].between(68, 70).all()


def test_map_is_300_dpi_png_and_svg(run):
    out, _ = run
    import matplotlib.image as mpimg

    img = mpimg.imread(out / "map.png")
    assert img.shape[1] >= 7 * 300 - 10  # 7.5 in wide at 300 dpi
    assert (out / "map.svg").read_text().lstrip().startswith("<?xml")


def test_qgis_styles_parse_and_name_every_category():
    v = ET.fromstring(vector_qml().split("\n", 1)[1])
    assert [c.get("value") for c in v.iter("category")] == [c.slug for c in CATEGORIES]
    r = ET.fromstring(raster_qml().split("\n", 1)[1])
    assert [(int(e.get("value")), e.get("label")) for e in r.iter("paletteEntry")] == \
        [(c.code, c.label) for c in CATEGORIES]


def test_voronoi_tiles_of_a_hexagon_lattice_are_whole_hexagons():
    s = 1.0
    pts = np.array([(i * s + (j % 2) * s / 2, j * s * np.sqrt(3) / 2) for j in range(6) for i in range(6)])
    tiles = voronoi_tiles(pts)
    import shapely

    assert len(tiles) == len(pts) and shapely.contains(tiles, shapely.points(pts)).all()
    inner = [k for k, (x, y) in enumerate(pts) if 1 <= x <= 4 and 1 <= y <= 3.5]
    np.testing.assert_allclose(shapely.area(tiles[inner]), np.sqrt(3) / 2 * s * s, rtol=1e-6)  # hexagon area
    assert not shapely.intersects(tiles[0], tiles[-1])


def test_point_units_draw_as_one_collection_of_their_tiles_with_no_data_coloured():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import shapely
    from matplotlib.collections import PolyCollection
    from matplotlib.colors import to_rgba

    import scp
    from scp.app.legend import NODATA_COLOUR
    from scp.app.maps.selection import _draw

    pts = np.array([(i + (j % 2) / 2, j * np.sqrt(3) / 2) for j in range(5) for i in range(5)])
    data = scp.PlanningData.from_arrays(cost=np.ones(len(pts)), features={"f": np.ones(len(pts))})
    values = np.linspace(0.0, 1.0, len(pts))
    values[7] = np.nan
    cmap = plt.get_cmap("viridis")
    fig, ax = plt.subplots()
    try:
        assert _draw(ax, data, values, pts, cmap, 0.0, 1.0) is not None
        (coll,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
        paths = coll.get_paths()
        assert len(paths) == len(pts)
        tiles = voronoi_tiles(pts)
        for k, path in enumerate(paths):  # each polygon is its unit's tile, in the units' order
            polygon = shapely.Polygon(path.vertices)
            assert polygon.symmetric_difference(tiles[k]).area < 1e-9 and polygon.contains(shapely.Point(pts[k]))
        colours = coll.get_facecolors()
        np.testing.assert_allclose(colours[7], to_rgba(NODATA_COLOUR))
        np.testing.assert_allclose(colours[3], cmap(values[3]))
    finally:
        plt.close(fig)
