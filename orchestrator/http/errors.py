"""API errors: one exception, one JSON shape, for every endpoint.

    {"error": "unknown_feature", "message": "...", "valid": [...]}

`error` is a stable code for programs, `message` a sentence for people; some errors add
fields (the valid feature names, the limit that was hit).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra
        self.headers: dict[str, str] = {}

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, **self.extra}

    def response(self) -> Response:
        return JSONResponse(self.body(), self.status, headers=self.headers)


async def api_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


def not_found(request: Request, exc: Exception) -> Response:
    return ApiError(404, "not_found", f"no such endpoint: {request.url.path}").response()


def method_not_allowed(request: Request, exc: Exception) -> Response:
    return ApiError(405, "method_not_allowed", f"{request.method} is not allowed here").response()


async def send_error(scope: Scope, receive: Receive, send: Send, err: ApiError) -> None:
    """Answer with `err` from ASGI middleware, for HTTP and WebSocket handshakes alike.

    A WebSocket is refused with a real HTTP response (the denial extension, which uvicorn
    offers) so that clients see 401 or 400, not an anonymous close.
    """
    denial = "websocket.http.response" in scope.get("extensions", {})
    if scope["type"] == "websocket" and not denial:
        await send({"type": "websocket.close", "code": 1008, "reason": err.message[:120]})
        return
    await err.response()(scope, receive, send)
