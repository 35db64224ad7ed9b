"""Maps of plans and of per-unit values, fit for a document (matplotlib, Agg backend).

Each map has a title, a legend with every colour shown (no-data included), jurisdiction
borders and names, a scale bar, a north arrow, a longitude/latitude graticule when the CRS
is known, optionally a hillshade and named places; it is written as a 300 dpi PNG and an SVG
beside it. Grid cells draw as cells, polygons as polygons, and units known only by a point
(Marxan ``xloc``/``yloc``) as Voronoi tiles (:mod:`.tiles`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from ...errors import warn
from ..gis import crs_of, unit_xy
from ..report.fmt import unit_text
from ..legend import CATEGORIES, NODATA_COLOUR, NODATA_LABEL, selection_categories
from .cartography import crs_note, graticule, hillshade, label_places, label_regions, north_arrow, scale_bar
from .tiles import voronoi_tiles

DPI = 300


@dataclass
class MapContext:
    """Optional context: a per-unit elevation (drawn as hillshade) and named places (x, y)."""

    elevation: np.ndarray | None = None
    places: list[tuple[str, float, float]] = field(default_factory=list)


def plot_selection(solution, path: str, xy: np.ndarray | None = None, title: str = "",
                   context: MapContext | None = None) -> str | None:
    """Write a map of the plan to ``path`` (PNG, 300 dpi) and the same map as SVG beside it;
    returns the PNG path, or None when the data have no geometry, grid or points or the map
    cannot be drawn (a warning says why: the map is the one optional output of a run)."""
    try:
        return _plot(solution.problem.data, selection_categories(solution), path, xy, title, context,
                     categorical=True, subtitle=_subtitle(solution))
    except (ValueError, ArithmeticError, np.linalg.LinAlgError, OverflowError) as exc:
        import matplotlib.pyplot as plt

        plt.close("all")
        warn(f"{os.path.basename(path)} was not drawn ({type(exc).__name__}: {exc})")
        return None


def plot_values(data, values: np.ndarray, path: str, title: str, label: str, cmap: str = "viridis",
                xy: np.ndarray | None = None) -> str | None:
    """Map of one value per unit (NaN blank): selection frequency, importance..."""
    return _plot(data, np.asarray(values, dtype=np.float64), path, xy, title, None, categorical=False,
                 label=label, cmap_name=cmap)


def _subtitle(solution) -> str:
    ev = solution.evaluation
    d = solution.problem.data
    au = d.unit("area")
    parts = [f"{ev.n_selected:,} units" + (f", {ev.area_selected:,.0f} {unit_text(au)}" if au else "")
             + f" ({ev.coverage:.1%} of the region's area)"]
    if ev.coverage_by_jurisdiction:
        parts.append(", ".join(f"{k} {v:.1%}" for k, v in ev.coverage_by_jurisdiction.items()))
    return "; ".join(parts)


def _draw(ax, data, values, xy, cmap, vmin, vmax):
    """Draw one value per unit; returns the mappable, or None when nothing can be drawn."""
    if data.grid is not None:
        grid = data.to_grid(values)
        ydim, xdim = data.grid.dims
        return ax.pcolormesh(np.asarray(grid[xdim].values), np.asarray(grid[ydim].values),
                             np.ma.masked_invalid(grid.values), cmap=cmap, vmin=vmin, vmax=vmax, shading="nearest",
                             rasterized=True, zorder=2, alpha=0.88)
    tiles = voronoi_tiles(xy) if data.geometry is None and xy is not None else None
    if tiles is not None:  # convex tiles, no holes: one collection of polygons
        import shapely
        from matplotlib.collections import PolyCollection
        from matplotlib.colors import to_rgba

        coords, owner = shapely.get_coordinates(shapely.get_exterior_ring(tiles), return_index=True)
        rings = np.split(coords, np.flatnonzero(np.diff(owner)) + 1)
        finite = np.isfinite(values)
        colours = np.empty((len(values), 4))
        colours[finite] = cmap(np.clip((values[finite] - vmin) / (vmax - vmin or 1), 0, 1))
        colours[~finite] = to_rgba(NODATA_COLOUR)
        ax.add_collection(PolyCollection(rings, facecolors=colours, edgecolors="none", linewidths=0, zorder=2,
                                         rasterized=True))
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize

        return ScalarMappable(norm=Normalize(vmin, vmax), cmap=cmap)
    geoms = data.geometry.values if data.geometry is not None else None
    if geoms is not None:
        import geopandas

        gs = geopandas.GeoSeries(geoms)
        finite = np.isfinite(values)
        gs[finite].plot(ax=ax, color=cmap(np.clip((values[finite] - vmin) / (vmax - vmin or 1), 0, 1)),
                        edgecolor="none", linewidth=0, zorder=2, rasterized=True)
        if (~finite).any():
            gs[~finite].plot(ax=ax, color=NODATA_COLOUR, edgecolor="none", zorder=2)
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize

        return ScalarMappable(norm=Normalize(vmin, vmax), cmap=cmap)
    if xy is not None:
        return ax.scatter(xy[:, 0], xy[:, 1], c=values, cmap=cmap, vmin=vmin, vmax=vmax, s=8, marker="s", zorder=2)
    return None


def plot_categories(data, codes: np.ndarray, path: str, categories: list[tuple[str, str]], xy=None, title: str = "",
                    context: MapContext | None = None, subtitle: str = "") -> str | None:
    """A map of integer ``codes`` (0..k-1 per unit) with ``categories`` = (colour, label) per code
    (e.g. the zones of a plan), with the same cartography as :func:`plot_selection`."""
    try:
        return _plot(data, np.asarray(codes), path, xy, title, context, categorical=True, subtitle=subtitle,
                     categories=categories)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError, OverflowError) as exc:
        import matplotlib.pyplot as plt

        plt.close("all")
        warn(f"{os.path.basename(path)} was not drawn ({type(exc).__name__}: {exc})")
        return None


def _plot(data, values, path, xy, title, context, *, categorical, subtitle="", label="", cmap_name="viridis",
          categories=None):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    pts = unit_xy(data, xy)
    if pts is None:
        return None
    legend = categories if categories is not None else [(c.colour, c.label) for c in CATEGORIES]
    if categorical:
        cmap, vmin, vmax = ListedColormap([c for c, _ in legend]), -0.5, len(legend) - 0.5
        vals = values.astype(np.float64)
    else:
        cmap = plt.get_cmap(cmap_name)
        finite = values[np.isfinite(values)]
        vmax = float(finite.max()) if finite.size else 1.0
        vals, vmin = np.where(np.isinf(values), vmax, values), 0.0
    fig, ax = plt.subplots(figsize=(7.5, 7.2))
    ax.set_facecolor("white")
    if data.grid is not None and len(data.grid.flat_index) < int(np.prod(data.grid.shape)):
        ax.set_facecolor(NODATA_COLOUR)  # cells of the grid that are not planning units
    if context is not None and context.elevation is not None and data.grid is not None:
        ydim, xdim = data.grid.dims
        g = data.to_grid(context.elevation)
        xs, ys = np.asarray(g[xdim].values), np.asarray(g[ydim].values)
        hs = hillshade(g.values, abs(xs[1] - xs[0]) if xs.size > 1 else 1.0,
                                   abs(ys[1] - ys[0]) if ys.size > 1 else 1.0)
        ax.pcolormesh(xs, ys, np.ma.masked_invalid(hs), cmap="gray", vmin=0, vmax=1, shading="nearest",
                      rasterized=True, zorder=1)
    mappable = _draw(ax, data, vals, pts, cmap, vmin, vmax)
    if mappable is None:
        plt.close(fig)
        return None
    ax.set_aspect("equal")
    pad = 0.02 * max(np.ptp(pts[:, 0]), np.ptp(pts[:, 1]), 1e-9)
    ax.set_xlim(pts[:, 0].min() - pad, pts[:, 0].max() + pad)
    ax.set_ylim(pts[:, 1].min() - pad, pts[:, 1].max() + pad)
    handles = [Patch(color=c, label=lab) for c, lab in legend] if categorical else []
    if ax.get_facecolor()[:3] != (1.0, 1.0, 1.0):
        handles.append(Patch(color=NODATA_COLOUR, label=NODATA_LABEL))
    many = data.jurisdiction is not None and len(data.jurisdictions) > 1
    if many:
        _borders(ax, data)
        handles.append(Line2D([], [], color="k", linestyle="--", label="jurisdiction border"))
        label_regions(ax, pts, data.jurisdiction)
    if context is not None and context.places:
        label_places(ax, context.places)
    unit = data.unit("boundary")
    geographic = graticule(ax, crs_of(data), unit)
    scale_bar(ax, unit)
    north_arrow(ax)
    if handles:
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=2, fontsize=8,
                  frameon=False)
    if not categorical:
        fig.colorbar(mappable, ax=ax, label=label, shrink=0.7)
    ax.set_title(title + (f"\n{subtitle}" if subtitle else ""), fontsize=10)
    crs_note(fig, crs_of(data), geographic)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    fig.savefig(path, dpi=DPI)
    fig.savefig(os.path.splitext(path)[0] + ".svg")
    plt.close(fig)
    return path


def _borders(ax, data) -> None:
    """Dashed borders between jurisdictions."""
    if data.grid is not None:
        labels, codes = np.unique(data.jurisdiction, return_inverse=True)
        jur = data.to_grid(codes.astype(float))
        ydim, xdim = data.grid.dims
        ax.contour(np.asarray(jur[xdim].values), np.asarray(jur[ydim].values), np.nan_to_num(jur.values, nan=-1),
                   levels=np.arange(len(labels) - 1) + 0.5, colors="k", linewidths=1.2, linestyles="--", zorder=6)
    elif data.geometry is not None:
        import geopandas

        gdf = geopandas.GeoDataFrame({"j": data.jurisdiction}, geometry=data.geometry.values)
        gdf.dissolve("j").boundary.plot(ax=ax, color="k", linestyle="--", linewidth=1.2, zorder=6)
