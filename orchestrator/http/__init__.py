"""The HTTP API of `framegraph serve`: Starlette endpoints over one stream worker."""

from orchestrator.http.app import create_app
from orchestrator.http.service import Service
from orchestrator.http.settings import Settings

__all__ = ["Service", "Settings", "create_app"]
