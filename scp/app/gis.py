"""GIS-ready outputs of a plan: coordinates for ``solution.csv``, GeoTIFFs with no-data and a
colour table, a GeoPackage of the planning units (grid cells included) and QGIS styles.

Files (grid data): ``solution.tif`` (uint8: 1 selected, 0 not, 255 no data) and
``categories.tif`` (uint8 category codes of :mod:`.legend`, 255 no data), both with a GDAL
colour table in the report's colours, ``categories.qml`` (QGIS paletted style with the legend
labels, loaded automatically beside ``categories.tif``), ``solution.gpkg`` (one square per
cell). For vector data: ``solution.gpkg`` (the polygons). Every GeoPackage carries its QGIS
style as the default in its ``layer_styles`` table (QGIS applies it on opening); the same
style is written as ``solution_gpkg.qml``.
"""

from __future__ import annotations

import os
from xml.sax.saxutils import quoteattr

import numpy as np

from .legend import CATEGORIES, NODATA, category_slugs


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def unit_xy(data, xy: np.ndarray | None = None) -> np.ndarray | None:
    """(n, 2) coordinates of each planning unit: cell centres, polygon interior points, or the
    given points (Marxan ``xloc``/``yloc``); None when the data have none."""
    if data.grid is not None:
        ydim, xdim = data.grid.dims
        r, c = np.unravel_index(data.grid.flat_index, data.grid.shape)
        return np.column_stack([np.asarray(data.grid.coords[xdim])[c], np.asarray(data.grid.coords[ydim])[r]])
    if data.geometry is not None:
        pts = data.geometry.representative_point()
        return np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])
    return None if xy is None else np.asarray(xy, dtype=np.float64)


def crs_of(data):
    """The CRS of the data (PROJ text, WKT or a pyproj CRS), or None."""
    if data.grid is not None:
        return data.grid.attrs.get("crs") or data.grid.attrs.get("spatial_ref")
    if data.geometry is not None:
        return getattr(data.geometry, "crs", None)
    return None


def parse_crs(crs):
    """A pyproj CRS from PROJ text, WKT, an EPSG code or a CRS object; None without pyproj or
    when the text is not a CRS."""
    if crs is None:
        return None
    try:
        from pyproj import CRS
        from pyproj.exceptions import CRSError
    except ImportError:
        return None
    try:
        return CRS.from_user_input(crs)
    except CRSError:
        return None


def lonlat_transformers(crs):
    """``(to_lonlat, from_lonlat)`` pyproj transformers for a projected CRS, else None."""
    src = parse_crs(crs)
    if src is None or src.is_geographic:
        return None
    from pyproj import Transformer

    return (Transformer.from_crs(src, "EPSG:4326", always_xy=True),
            Transformer.from_crs("EPSG:4326", src, always_xy=True))


def to_lonlat(xy: np.ndarray, crs) -> np.ndarray | None:
    """Longitude/latitude (WGS 84) of projected points; None without a CRS or pyproj."""
    src = parse_crs(crs)
    if src is None:
        return None
    if src.is_geographic:
        return np.asarray(xy, dtype=np.float64)
    to_ll, _ = lonlat_transformers(src)
    lon, lat = to_ll.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])


def add_coordinates(frame, data, xy: np.ndarray | None = None):
    """``solution.csv`` columns ``x``, ``y`` (map units) and ``lon``, ``lat`` when known."""
    pts = unit_xy(data, xy)
    if pts is None:
        return frame
    frame = frame.assign(x=pts[:, 0], y=pts[:, 1])
    ll = to_lonlat(pts, crs_of(data))
    if ll is not None:
        frame = frame.assign(lon=np.round(ll[:, 0], 7), lat=np.round(ll[:, 1], 7))
    return frame


def vector_qml(field: str = "category") -> str:
    """QGIS categorised fill style over ``field`` (the slugs of :data:`CATEGORIES`)."""
    cats = "".join(f"<category value={quoteattr(c.slug)} symbol=\"{k}\" label={quoteattr(c.label)} render=\"true\"/>"
                   for k, c in enumerate(CATEGORIES))
    syms = "".join(
        f'<symbol type="fill" name="{k}" alpha="1" clip_to_extent="1" force_rhr="0"><layer class="SimpleFill" '
        f'enabled="1" pass="0" locked="0"><Option type="Map"><Option type="QString" name="color" '
        f'value="{",".join(map(str, _rgb(c.colour)))},255"/><Option type="QString" name="style" value="solid"/>'
        f'<Option type="QString" name="outline_style" value="no"/></Option></layer></symbol>'
        for k, c in enumerate(CATEGORIES))
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            f'<qgis version="3.28.0" styleCategories="Symbology"><renderer-v2 type="categorizedSymbol" '
            f'attr={quoteattr(field)} symbollevels="0" enableorderby="0" forceraster="0"><categories>{cats}'
            f"</categories><symbols>{syms}</symbols></renderer-v2></qgis>\n")


def raster_qml(legend: list[tuple[int, str, str]] | None = None) -> str:
    """QGIS paletted style (``(code, colour, label)`` entries; default: the legend of
    ``categories.tif``)."""
    legend = legend if legend is not None else [(c.code, c.colour, c.label) for c in CATEGORIES]
    entries = "".join(f'<paletteEntry value="{code}" color="{colour}" alpha="255" label={quoteattr(label)}/>'
                      for code, colour, label in legend)
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            '<qgis version="3.28.0" styleCategories="Symbology"><pipe><rasterrenderer type="paletted" band="1" '
            f'opacity="1" alphaBand="-1"><colorPalette>{entries}</colorPalette></rasterrenderer></pipe></qgis>\n')


def embed_style(gpkg: str, layer: str, qml: str) -> None:
    """Store ``qml`` as the default style of ``layer`` in the GeoPackage (``layer_styles``)."""
    import sqlite3

    con = sqlite3.connect(gpkg)
    try:
        con.execute("CREATE TABLE IF NOT EXISTS layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                    "f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256), "
                    "f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT, "
                    "useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30), update_time DATETIME)")
        con.execute("INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                    "styleName, styleQML, styleSLD, useAsDefault, description, owner) "
                    "VALUES ('', '', ?, 'geometry', 'scp plan', ?, '', 1, 'categories of the plan (scp)', 'scp')",
                    (layer, qml))
        con.commit()
    finally:
        con.close()


def write_geopackage(folder: str, frame, geometry, crs) -> list[str]:
    """``solution.gpkg`` (layer ``solution``: the table ``frame`` with ``geometry``) with its
    default QGIS style, and ``solution_gpkg.qml``."""
    import geopandas

    gdf = geopandas.GeoDataFrame(frame, geometry=geometry, crs=crs)
    path = os.path.join(folder, "solution.gpkg")
    gdf.to_file(path, layer="solution", driver="GPKG")
    qml = vector_qml()
    embed_style(path, "solution", qml)
    with open(os.path.join(folder, "solution_gpkg.qml"), "w", encoding="utf-8") as fh:
        fh.write(qml)
    return ["solution.gpkg", "solution_gpkg.qml"]


def cell_polygons(data):
    """One square per grid cell planning unit (vectorised ``shapely.box``)."""
    import shapely

    ydim, xdim = data.grid.dims
    xs, ys = np.asarray(data.grid.coords[xdim], float), np.asarray(data.grid.coords[ydim], float)
    dx = abs(xs[1] - xs[0]) if xs.size > 1 else 1.0
    dy = abs(ys[1] - ys[0]) if ys.size > 1 else 1.0
    pts = unit_xy(data)
    return shapely.box(pts[:, 0] - dx / 2, pts[:, 1] - dy / 2, pts[:, 0] + dx / 2, pts[:, 1] + dy / 2)


def write_rasters(folder: str, data, selection: np.ndarray, categories: np.ndarray) -> list[str]:
    """``solution.tif`` and ``categories.tif`` (+ ``categories.qml``); needs rioxarray."""
    import rasterio

    ydim, xdim = data.grid.dims
    crs = crs_of(data)
    written = []
    for name, values, table in (("solution.tif", selection.astype(np.uint8),
                                 {0: CATEGORIES[0].colour, 1: CATEGORIES[1].colour}),
                                ("categories.tif", categories.astype(np.uint8), {c.code: c.colour for c in CATEGORIES})):
        grid = data.to_grid(values.astype(np.float64), name=name.split(".")[0])
        da = grid.fillna(NODATA).astype(np.uint8).rio.set_spatial_dims(x_dim=xdim, y_dim=ydim)
        da = da.rio.write_nodata(NODATA)
        if crs:
            da = da.rio.write_crs(crs)
        path = os.path.join(folder, name)
        da.rio.to_raster(path)
        with rasterio.open(path, "r+") as dst:
            dst.write_colormap(1, {k: (*_rgb(c), 255) for k, c in table.items()})
        written.append(name)
    with open(os.path.join(folder, "categories.qml"), "w", encoding="utf-8") as fh:
        fh.write(raster_qml())
    return written + ["categories.qml"]


def write_gis(folder: str, data, frame, selection: np.ndarray, categories: np.ndarray) -> list[str]:
    """Every GIS output the data allow (rasters and GeoPackage need the ``geo`` extra)."""
    try:
        import geopandas  # noqa: F401
        import rioxarray  # noqa: F401
    except ImportError:
        return []
    written = []
    table = frame.assign(category=category_slugs(categories))
    if data.grid is not None:
        written += write_rasters(folder, data, selection, categories)
        written += write_geopackage(folder, table, cell_polygons(data), crs_of(data))
    elif data.geometry is not None:
        written += write_geopackage(folder, table, data.geometry.values, crs_of(data))
    return written


def write_zone_raster(folder: str, data, codes: np.ndarray, legend: list[tuple[str, str]]) -> list[str]:
    """``zones.tif`` (uint8 zone codes, nodata 255, colour table) and ``zones.qml`` for grid data;
    ``legend`` = (colour, label) per code. Needs rioxarray (nothing is written without it)."""
    try:
        import rasterio
        import rioxarray  # noqa: F401
    except ImportError:
        return []
    if data.grid is None:
        return []
    ydim, xdim = data.grid.dims
    grid = data.to_grid(np.asarray(codes, dtype=np.float64), name="zone")
    da = grid.fillna(NODATA).astype(np.uint8).rio.set_spatial_dims(x_dim=xdim, y_dim=ydim).rio.write_nodata(NODATA)
    crs = crs_of(data)
    if crs:
        da = da.rio.write_crs(crs)
    path = os.path.join(folder, "zones.tif")
    da.rio.to_raster(path)
    with rasterio.open(path, "r+") as dst:
        dst.write_colormap(1, {k: (*_rgb(c), 255) for k, (c, _) in enumerate(legend)})
    with open(os.path.join(folder, "zones.qml"), "w", encoding="utf-8") as fh:
        fh.write(raster_qml([(k, c, lab) for k, (c, lab) in enumerate(legend)]))
    return ["zones.tif", "zones.qml"]
