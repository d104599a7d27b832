"""The Starlette application of `framegraph serve`: routes, access and limits.

    create_app(Service(worker, Settings(token=...)))

The app only serves; running the stream beside it is `orchestrator.http.server`'s job,
so tests can drive the same app with a stream of their own.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware

from orchestrator.http.auth import BearerAuth
from orchestrator.http.catalog import features_endpoint, plan_endpoint
from orchestrator.http.errors import ApiError, api_error_handler, method_not_allowed, not_found
from orchestrator.http.health import health_endpoints
from orchestrator.http.limits import QueryLimit
from orchestrator.http.service import Service
from orchestrator.http.sse import events_endpoint
from orchestrator.http.subscriptions import subscriptions_endpoint
from orchestrator.http.ws import ws_endpoint


def create_app(service: Service) -> Starlette:
    routes = [
        features_endpoint(service),
        plan_endpoint(service),
        subscriptions_endpoint(service),
        events_endpoint(service),
        ws_endpoint(service),
        *health_endpoints(service),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(QueryLimit, max_bytes=service.settings.max_query_bytes),
            Middleware(BearerAuth, token=service.settings.token),
        ],
        exception_handlers={ApiError: api_error_handler, 404: not_found, 405: method_not_allowed},
    )
    app.state.service = service
    return app
