"""Request-size limits applied before any endpoint runs.

Every request of this API is a GET (or a WebSocket handshake) whose whole input is the
query string, so bounding it bounds the work a request can cause; WebSocket messages
are bounded by the server (`ws_max_size`) and again by the socket handler.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from orchestrator.http.errors import ApiError, send_error


class QueryLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = scope.get("query_string", b"") if scope["type"] in ("http", "websocket") else b""
        if len(query) > self.max_bytes:
            err = ApiError(
                414,
                "query_too_long",
                f"query string over {self.max_bytes} bytes",
                limit=self.max_bytes,
            )
            await send_error(scope, receive, send, err)
            return
        await self.app(scope, receive, send)
