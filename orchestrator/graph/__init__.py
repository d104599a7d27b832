"""The feature graph: declaring features, validating the catalog, planning per request."""

from orchestrator.graph.catalog import Catalog, CatalogError
from orchestrator.graph.feature import Feature
from orchestrator.graph.plan import Plan, Planner, UnknownFeatureError
from orchestrator.graph.window import Window

__all__ = ["Catalog", "CatalogError", "Feature", "Plan", "Planner", "UnknownFeatureError", "Window"]
