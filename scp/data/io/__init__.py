"""Readers that turn files and tables into :class:`~scp.data.PlanningData` (tables, polygons,
Marxan projects)."""
