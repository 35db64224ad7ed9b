"""Readers that turn files and tables into :class:`~scp.data.PlanningData`."""

from .tables import from_tables

__all__ = ["from_tables"]
