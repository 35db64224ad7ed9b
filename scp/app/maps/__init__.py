"""Maps of plans: cartography (graticule, scale bar, north arrow, labels, hillshade), tiles for
point-only units, and the selection/value maps themselves."""

from .selection import MapContext, plot_selection, plot_values

__all__ = ["MapContext", "plot_selection", "plot_values"]
