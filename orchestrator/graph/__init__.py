"""The feature graph: declaring features, validating the catalog, planning per request."""

from orchestrator.graph.catalog import Catalog, CatalogError
from orchestrator.graph.feature import Feature
from orchestrator.graph.key import NodeKey
from orchestrator.graph.param import Param, ParamError
from orchestrator.graph.plan import Node, Plan, Planner, UnknownFeatureError
from orchestrator.graph.rate import Rate, RateError
from orchestrator.graph.request import REQUEST_ERRORS, Want, resolve
from orchestrator.graph.syntax import FeatureRequest, RequestSyntaxError
from orchestrator.graph.window import Window

__all__ = [
    "REQUEST_ERRORS",
    "Catalog",
    "CatalogError",
    "Feature",
    "FeatureRequest",
    "Node",
    "NodeKey",
    "Param",
    "ParamError",
    "Plan",
    "Planner",
    "Rate",
    "RateError",
    "RequestSyntaxError",
    "UnknownFeatureError",
    "Want",
    "Window",
    "resolve",
]
