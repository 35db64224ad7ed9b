"""Maps of selections (matplotlib imported lazily, Agg backend)."""

from __future__ import annotations

import numpy as np

from ..errors import warn

CATEGORIES = [("not selected", "#ece7d5"), ("selected", "#2e8b57"), ("locked in", "#1f3a93"),
              ("locked out", "#b03a2e")]


def selection_categories(solution) -> np.ndarray:
    """Per PU: 0 not selected, 1 selected, 2 locked in, 3 locked out."""
    from ..problem.constraints import status_masks

    li, lo = status_masks(solution.problem.data, solution.problem.constraints)
    cat = solution.selection.astype(np.int8)
    cat[li] = 2
    cat[lo] = 3
    return cat


def plot_selection(solution, path: str, xy: np.ndarray | None = None, title: str = "") -> str | None:
    """Write a map of the selection to ``path`` (PNG); returns the path, or None when the
    data have neither a grid nor point coordinates, or the map cannot be drawn (a warning says
    why; the map is the one optional output of a run)."""
    try:
        return _plot_selection(solution, path, xy, title)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError, OverflowError) as exc:
        import matplotlib.pyplot as plt

        plt.close("all")
        warn(f"map.png was not drawn ({type(exc).__name__}: {exc})")
        return None


def _plot_selection(solution, path: str, xy: np.ndarray | None, title: str) -> str | None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    data = solution.problem.data
    cat = selection_categories(solution)
    cmap = ListedColormap([c for _, c in CATEGORIES])
    fig, ax = plt.subplots(figsize=(8, 6.5))
    if data.grid is not None:
        grid = data.to_grid(cat.astype(float))
        ydim, xdim = data.grid.dims
        xs, ys = np.asarray(grid[xdim].values), np.asarray(grid[ydim].values)
        ax.pcolormesh(xs, ys, np.ma.masked_invalid(grid.values), cmap=cmap, vmin=-0.5, vmax=3.5, shading="nearest")
        if data.jurisdiction is not None and len(data.jurisdictions) > 1:
            labels, codes = np.unique(data.jurisdiction, return_inverse=True)
            jur = data.to_grid(codes.astype(float))
            ax.contour(xs, ys, np.nan_to_num(jur.values, nan=-1), levels=np.arange(len(labels)) - 0.5 + 1,
                       colors="k", linewidths=1.2, linestyles="--")
        ax.set_xlabel(xdim)
        ax.set_ylabel(ydim)
        ax.set_aspect("equal")
    elif data.geometry is not None:
        import geopandas

        gdf = geopandas.GeoDataFrame({"category": cat}, geometry=data.geometry.values)
        gdf.plot(ax=ax, column="category", cmap=cmap, vmin=-0.5, vmax=3.5, edgecolor="white", linewidth=0.2)
        if data.jurisdiction is not None and len(data.jurisdictions) > 1:
            gdf.assign(j=data.jurisdiction).dissolve("j").boundary.plot(ax=ax, color="k", linestyle="--",
                                                                          linewidth=1.2)
        ax.set_aspect("equal")
    elif xy is not None:
        ax.scatter(xy[:, 0], xy[:, 1], c=cat, cmap=cmap, vmin=-0.5, vmax=3.5, s=float(np.clip(40000 / max(len(xy), 1), 4, 60)), marker="h", linewidths=0)
        ax.set_aspect("equal")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
    else:
        plt.close(fig)
        return None
    handles = [Patch(color=c, label=l) for l, c in CATEGORIES]
    if data.jurisdiction is not None and len(data.jurisdictions) > 1 and (data.grid is not None
                                                                          or data.geometry is not None):
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], color="k", linestyle="--", label="jurisdiction border"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    ev = solution.evaluation
    ax.set_title(title or f"cost {ev.cost:,.0f}; {ev.n_selected} units; coverage {ev.coverage:.1%}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_values(data, values: np.ndarray, path: str, title: str, label: str, cmap: str = "viridis",
                xy: np.ndarray | None = None) -> str | None:
    """Map of one value per PU (NaN shown blank): selection frequency, importance..."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    v = np.asarray(values, dtype=np.float64)
    finite = v[np.isfinite(v)]
    vmax = float(finite.max()) if finite.size else 1.0
    fig, ax = plt.subplots(figsize=(8, 6.5))
    if data.grid is not None:
        grid = data.to_grid(np.where(np.isinf(v), vmax, v))
        ydim, xdim = data.grid.dims
        m = ax.pcolormesh(np.asarray(grid[xdim].values), np.asarray(grid[ydim].values),
                          np.ma.masked_invalid(grid.values), cmap=cmap, shading="nearest", vmin=0, vmax=vmax)
        ax.set_aspect("equal")
    elif data.geometry is not None:
        import geopandas

        gdf = geopandas.GeoDataFrame({"v": np.where(np.isinf(v), vmax, v)}, geometry=data.geometry.values)
        gdf.plot(ax=ax, column="v", cmap=cmap, vmin=0, vmax=vmax, missing_kwds={"color": "#eeeeee"})
        m = ax.collections[0]
        ax.set_aspect("equal")
    elif xy is not None:
        m = ax.scatter(xy[:, 0], xy[:, 1], c=np.where(np.isinf(v), vmax, v), cmap=cmap, vmin=0, vmax=vmax, s=8)
        ax.set_aspect("equal")
    else:
        plt.close(fig)
        return None
    fig.colorbar(m, ax=ax, label=label, shrink=0.8)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
