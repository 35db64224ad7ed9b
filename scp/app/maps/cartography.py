"""Map furniture: a graticule in longitude/latitude (or axes in km), a scale bar, a north
arrow, labels for jurisdictions and places, a hillshade under the plan, and the CRS note.

Every function draws on a matplotlib ``Axes`` whose data coordinates are the planning data's
map units; functions that need the CRS use pyproj when it is installed (``scp[geo]``) and
fall back to plain axes in map units otherwise.
"""

from __future__ import annotations

import numpy as np

from ..gis import lonlat_transformers


def nice_step(span: float, target: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 x 10^k) dividing ``span`` into about ``target`` parts."""
    raw = span / max(target, 1)
    mag = 10 ** np.floor(np.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * mag >= raw:
            return float(m * mag)
    return float(10 * mag)


def graticule(ax, crs, unit: str = "") -> bool:
    """Longitude/latitude lines and edge labels (degrees) over projected axes; returns False
    (and labels the axes in km or map units) when there is no usable CRS."""
    tr = lonlat_transformers(crs) if crs else None
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    if tr is None:
        from matplotlib.ticker import FuncFormatter

        km = unit == "m"
        fmt = FuncFormatter((lambda v, _: f"{v / 1000:,.0f}") if km else (lambda v, _: f"{v:,.6g}"))
        ax.xaxis.set_major_formatter(fmt)
        ax.yaxis.set_major_formatter(fmt)
        ax.tick_params(labelsize=8)
        ax.set_xlabel("x (km)" if km else f"x ({unit})" if unit else "x")
        ax.set_ylabel("y (km)" if km else f"y ({unit})" if unit else "y")
        return False
    to_ll, to_xy = tr
    cx, cy = np.meshgrid(np.linspace(x0, x1, 9), np.linspace(y0, y1, 9))
    lon, lat = to_ll.transform(cx.ravel(), cy.ravel())
    step = nice_step(max(np.ptp(lon), np.ptp(lat)), 4)
    xt, xl = _meridians(ax, to_xy, lon, lat, step, (x0, x1), y0, horizontal=False)
    yt, yl = _meridians(ax, to_xy, lat, lon, step, (y0, y1), x0, horizontal=True)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xticks(xt, xl, fontsize=8)
    ax.set_yticks(yt, yl, fontsize=8)
    ax.set_xlabel("")  # the ticks are degrees: drop any projected-axis label (geopandas sets one)
    ax.set_ylabel("")
    return True


def _meridians(ax, to_xy, values, across, step, limits, edge, horizontal: bool):
    """Draw the lines of constant longitude (or latitude when ``horizontal``) every ``step``
    degrees; returns their positions and labels where they cross the bottom (left) edge."""
    ticks, labels = [], []
    hemis = ("N", "S") if horizontal else ("E", "W")
    for v in np.arange(np.ceil(np.min(values) / step) * step, np.max(values) + 1e-9, step):
        t = np.linspace(np.min(across) - step, np.max(across) + step, 60)
        x, y = to_xy.transform(t, np.full_like(t, v)) if horizontal else to_xy.transform(np.full_like(t, v), t)
        ax.plot(x, y, color="#555", lw=0.4, alpha=0.5, zorder=5)
        along, other = (x, y) if horizontal else (y, x)  # 'along' increases along the line
        if (np.diff(along) > 0).all() and along[0] <= edge <= along[-1]:
            pos = float(np.interp(edge, along, other))
            if limits[0] <= pos <= limits[1]:
                ticks.append(pos)
                labels.append(f"{abs(v):g}°{hemis[0] if v >= 0 else hemis[1]}")
    return ticks, labels


def scale_bar(ax, unit: str) -> None:
    """A two-segment scale bar in the lower left, labelled in km when the map unit is metres."""
    from matplotlib.patches import Rectangle

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    metres = unit == "m"
    length = nice_step((x1 - x0) / 4 if not metres else (x1 - x0) / 4000, 1) * (1000 if metres else 1)
    h = (y1 - y0) * 0.012
    bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    for k in range(2):
        ax.add_patch(Rectangle((bx + k * length / 2, by), length / 2, h, facecolor="k" if k == 0 else "white",
                               edgecolor="k", lw=0.6, zorder=10))
    label = f"{length / 1000:g} km" if metres else f"{length:,.6g} {unit or 'map units'}"
    ax.text(bx + length / 2, by + 1.8 * h, label, ha="center", va="bottom", fontsize=8, zorder=10,
            path_effects=_halo())


def north_arrow(ax) -> None:
    """An arrow with N in the upper right (grid north: the maps are drawn with y up)."""
    ax.annotate("N", xy=(0.95, 0.95), xytext=(0.95, 0.85), xycoords="axes fraction", ha="center", va="center",
                fontsize=11, fontweight="bold", zorder=10,
                arrowprops=dict(facecolor="k", edgecolor="k", width=3, headwidth=9, headlength=9))


def _halo():
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=2.5, foreground="white")]


def label_regions(ax, xy: np.ndarray, labels: np.ndarray) -> None:
    """Each jurisdiction's name at the unit nearest the median position of its units."""
    for name in sorted(set(labels.tolist())):
        pts = xy[labels == name]
        mid = np.median(pts, axis=0)
        p = pts[np.argmin(((pts - mid) ** 2).sum(axis=1))]
        ax.text(p[0], p[1], str(name), ha="center", va="center", fontsize=13, fontweight="bold", color="#222",
                alpha=0.85, zorder=11, path_effects=_halo())


def label_places(ax, places: list[tuple[str, float, float]]) -> None:
    """Named points (settlements, peaks...) as small dots with their names."""
    for name, x, y in places:
        ax.plot([x], [y], "o", ms=3, color="k", zorder=11)
        ax.text(x, y, f" {name}", fontsize=7, va="center", zorder=11, path_effects=_halo())


def hillshade(elevation: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """Hillshade (0 shadow .. 1 lit; sun from the north-west at 45 degrees) of a 2-D elevation
    grid in the map's units; NaN stays NaN."""
    from matplotlib.colors import LightSource

    z = np.asarray(elevation, dtype=np.float64)
    filled = np.where(np.isfinite(z), z, np.nanmean(z) if np.isfinite(z).any() else 0.0)
    hs = LightSource(azdeg=315, altdeg=45).hillshade(filled, vert_exag=1.0, dx=dx, dy=dy)
    return np.where(np.isfinite(z), hs, np.nan)


def crs_note(fig, crs, geographic: bool) -> None:
    """The projection in small print at the foot of the figure."""
    text = str(crs) if crs else "no coordinate reference system given"
    if len(text) > 110:
        text = text[:107] + "..."
    fig.text(0.01, 0.005, f"Projection: {text}" + ("; graticule: WGS 84 degrees" if geographic else ""),
             fontsize=6, color="#555", ha="left", va="bottom")
