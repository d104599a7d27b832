"""Bearer-token access: every endpoint but the probes and metrics needs the token.

Health, readiness and metrics stay open because Kubernetes probes and Prometheus
scrapes carry no application secret; they reveal nothing about a stream's content.
The comparison takes constant time (`hmac.compare_digest`), so response timing tells
an attacker nothing about how much of a guess was right.
"""

from __future__ import annotations

import hmac

from starlette.types import ASGIApp, Receive, Scope, Send

from orchestrator.http.errors import ApiError, send_error

OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class BearerAuth:
    def __init__(self, app: ASGIApp, token: str | None, open_paths: frozenset[str] = OPEN_PATHS):
        self.app = app
        self.expected = f"Bearer {token}".encode() if token else None
        self.open_paths = open_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.expected is None
            or scope["type"] not in ("http", "websocket")
            or scope["path"] in self.open_paths
            or self._authorized(scope)
        ):
            await self.app(scope, receive, send)
            return
        err = ApiError(
            401, "unauthorized", "missing or wrong token: send 'Authorization: Bearer <token>'"
        )
        err.headers["WWW-Authenticate"] = 'Bearer realm="framegraph"'
        await send_error(scope, receive, send, err)

    def _authorized(self, scope: Scope) -> bool:
        assert self.expected is not None
        given = b""
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                given = value
                break
        return hmac.compare_digest(given, self.expected)
