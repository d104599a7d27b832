"""The process-wide catalog that the feature modules declare into."""

from orchestrator.graph import Catalog

CATALOG = Catalog(resources=("infer",))
feature = CATALOG.feature
