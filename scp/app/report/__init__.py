"""Reports of a results folder: facts gathered from a solution (``facts``), number formats
(``fmt``), content (``content``) and Markdown/HTML rendering (``render``)."""

from .facts import FEATURE_COLUMNS, features_table, report_facts
from .render import report_from_folder, write_report

__all__ = ["FEATURE_COLUMNS", "features_table", "report_facts", "report_from_folder", "write_report"]
