"""Which web pages may use the API from a browser: this server's own, and an allow-list.

Browsers attach `Origin` to WebSocket handshakes, to cross-origin requests (EventSource,
fetch) and to every POST, and a page cannot forge it. A request whose Origin is neither
this server's nor allow-listed (`--cors-origin`) is refused with 403 before anything else
runs: a page on another site can then neither open the stream over a WebSocket (which
CORS does not cover), nor read it over SSE, nor log a browser in behind its back. A
request without Origin comes from a program (curl, `framegraph watch`), not from a page,
and passes; its access is the token's business.

"This server's origin" is the scheme of the request (as uvicorn sees it, forwarded
headers of trusted proxies included) and its Host header. A proxy that rewrites Host
needs its public origin allow-listed.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from orchestrator.http.errors import ApiError, send_error

DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEMES = {"http": "http", "ws": "http", "https": "https", "wss": "https"}


def normalise(origin: str) -> str | None:
    """`scheme://host[:port]` as browsers write it (lower case, no default port), or None
    if `origin` is not an http(s) origin (`null`, a path, credentials, ...)."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    if (
        parts.scheme not in DEFAULT_PORTS
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username is not None
    ):
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is None or port == DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def own_origin(scope: Scope) -> str | None:
    """The origin a page served by this server has, from the request's scheme and Host."""
    host = Headers(scope=scope).get("host")
    scheme = _SCHEMES.get(scope.get("scheme", "http"), "http")
    return normalise(f"{scheme}://{host}") if host else None


class OriginCheck:
    """ASGI middleware: 403 `forbidden_origin` for pages of origins not allowed."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed = frozenset(allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            origin = Headers(scope=scope).get("origin")
            if origin is not None and not self.allows(origin, scope):
                err = ApiError(
                    403,
                    "forbidden_origin",
                    f"pages from {origin} may not use this API (allow them with --cors-origin)",
                    origin=origin,
                )
                await send_error(scope, receive, send, err)
                return
        await self.app(scope, receive, send)

    def allows(self, origin: str, scope: Scope) -> bool:
        given = normalise(origin)
        return given is not None and (given in self.allowed or given == own_origin(scope))
