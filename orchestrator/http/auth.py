"""Token access: every endpoint but the probes, the metrics and the viewer needs the token.

Programs send `Authorization: Bearer <token>`; browsers, which cannot attach a header to
an EventSource, send the session cookie they got by posting the token to /session once
(`orchestrator.http.sessions`). The token itself is never accepted in a URL.

Health, readiness and metrics stay open because Kubernetes probes and Prometheus
scrapes carry no application secret; they reveal nothing about a stream's content. The
viewer's static files and /session are open too: the page must load to show its login
form, and it holds no data. The token comparison takes constant time
(`hmac.compare_digest`), so response timing tells an attacker nothing about how much of
a guess was right.
"""

from __future__ import annotations

import hmac

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from orchestrator.http.errors import ApiError, send_error
from orchestrator.http.sessions import COOKIE, Sessions

OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/", "/session"})
OPEN_PREFIXES = ("/viewer/",)


def token_matches(given: str, token: str) -> bool:
    """Constant-time comparison of a presented token with the expected one."""
    return hmac.compare_digest(given.encode(), token.encode())


class BearerAuth:
    def __init__(
        self,
        app: ASGIApp,
        token: str | None,
        sessions: Sessions | None = None,
        open_paths: frozenset[str] = OPEN_PATHS,
    ):
        self.app = app
        self.expected = f"Bearer {token}".encode() if token else None
        self.sessions = sessions
        self.open_paths = open_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.expected is None
            or scope["type"] not in ("http", "websocket")
            or scope["path"] in self.open_paths
            or scope["path"].startswith(OPEN_PREFIXES)
            or self._authorized(scope)
        ):
            await self.app(scope, receive, send)
            return
        err = ApiError(
            401,
            "unauthorized",
            "missing or wrong token: send 'Authorization: Bearer <token>', "
            "or log in at /session (browsers)",
        )
        err.headers["WWW-Authenticate"] = 'Bearer realm="framegraph"'
        await send_error(scope, receive, send, err)

    def _authorized(self, scope: Scope) -> bool:
        assert self.expected is not None
        headers = Headers(scope=scope)
        given = headers.get("authorization", "").encode("latin-1")
        if hmac.compare_digest(given, self.expected):
            return True
        return self.sessions is not None and self.sessions.valid(session_of(headers))


def session_of(headers: Headers) -> str | None:
    """The session id in the request's cookie, if any."""
    return cookie_parser(headers.get("cookie", "")).get(COOKIE)
