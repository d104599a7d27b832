"""The features on offer. Every module in this package declares its features on import.

Adding a feature is adding a function to a module here (or a new module): nothing else
to register.
"""

from __future__ import annotations

import importlib
import pkgutil

from orchestrator.features.catalog import CATALOG
from orchestrator.graph import Catalog


def default_catalog() -> Catalog:
    """The validated catalog of every feature module in this package."""
    for mod in pkgutil.iter_modules(__path__):
        if mod.name != "catalog" and not mod.name.startswith("_"):
            importlib.import_module(f"{__name__}.{mod.name}")
    return CATALOG.validate()
