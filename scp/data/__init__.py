"""Stage 1, data: planning units and everything attached to them (cost, area, jurisdiction,
status, features, boundary, adjacency, resistance), and the readers that build them.

May import: :mod:`scp.errors` only.
"""

from .planning_data import FREE, LOCKED_IN, LOCKED_OUT, GridMapping, PlanningData

__all__ = ["FREE", "LOCKED_IN", "LOCKED_OUT", "GridMapping", "PlanningData"]
