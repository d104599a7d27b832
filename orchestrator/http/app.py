"""The Starlette application of `framegraph serve`: routes, access and limits.

    create_app(Service(worker, Settings(token=...)))

The app only serves; running the stream beside it is `orchestrator.http.server`'s job,
so tests can drive the same app with a stream of their own.

Middleware, outermost first: CORS (answers preflights; headers for allow-listed origins
only), the Origin check (pages of other origins get 403), the query-size limit, then
token access (bearer header or browser session).
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from orchestrator.http.analyze import analyze_endpoint
from orchestrator.http.auth import BearerAuth
from orchestrator.http.catalog import features_endpoint, plan_endpoint
from orchestrator.http.errors import ApiError, api_error_handler, method_not_allowed, not_found
from orchestrator.http.health import health_endpoints
from orchestrator.http.limits import QueryLimit
from orchestrator.http.login import session_endpoint
from orchestrator.http.origins import OriginCheck
from orchestrator.http.service import Service
from orchestrator.http.sessions import Sessions
from orchestrator.http.sse import events_endpoint
from orchestrator.http.subscriptions import subscriptions_endpoint
from orchestrator.http.viewer import viewer_routes
from orchestrator.http.ws import ws_endpoint


def create_app(service: Service) -> Starlette:
    settings = service.settings
    sessions = Sessions(settings.session_ttl, settings.max_sessions)
    routes = [
        *viewer_routes(),
        session_endpoint(settings, sessions),
        features_endpoint(service),
        plan_endpoint(service),
        subscriptions_endpoint(service),
        events_endpoint(service),
        ws_endpoint(service),
        analyze_endpoint(service),
        *health_endpoints(service),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "DELETE"],
                allow_headers=["Authorization", "Content-Type", "Last-Event-ID"],
                allow_credentials=True,
                expose_headers=["Retry-After"],
            ),
            Middleware(OriginCheck, allowed=settings.cors_origins),
            Middleware(QueryLimit, max_bytes=settings.max_query_bytes),
            Middleware(BearerAuth, token=settings.token, sessions=sessions),
        ],
        exception_handlers={ApiError: api_error_handler, 404: not_found, 405: method_not_allowed},
    )
    app.state.service = service
    app.state.sessions = sessions
    return app
