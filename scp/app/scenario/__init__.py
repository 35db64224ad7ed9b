"""Scenario documents (YAML): schema, loading with ``extends:``, building and running."""

from .load import LoadedScenario, load_scenario
from .schema import Scenario

__all__ = ["LoadedScenario", "Scenario", "load_scenario"]
