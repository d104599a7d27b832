"""/session: a browser logs in with the token once and holds a session cookie instead.

    POST   /session  {"token": "..."}   200 + Set-Cookie, or 401 (wrong token)
    GET    /session                     {"auth_required", "authenticated", "expires_in"}
    DELETE /session                     logout: the session is revoked, the cookie cleared

The cookie is HttpOnly (scripts cannot read it), SameSite=Strict (other sites' pages do
not make the browser send it), Path=/, Secure when the request came over HTTPS, and
expires with the session (`--session-ttl`). The token is compared in constant time and
travels only in the body of one POST, never in a URL. Cross-site POSTs are refused by
the Origin check before they get here.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from orchestrator.http.auth import session_of, token_matches
from orchestrator.http.errors import ApiError
from orchestrator.http.sessions import COOKIE, Sessions
from orchestrator.http.settings import Settings

MAX_BODY = 4096


def session_endpoint(settings: Settings, sessions: Sessions) -> Route:
    token = settings.token

    def state(request: Request) -> dict[str, Any]:
        if token is None:
            return {"auth_required": False, "authenticated": True, "expires_in": None}
        bearer = request.headers.get("authorization", "")
        left = sessions.remaining(session_of(request.headers))
        by_header = bearer.startswith("Bearer ") and token_matches(bearer[7:], token)
        return {
            "auth_required": True,
            "authenticated": by_header or left is not None,
            "expires_in": None if left is None else round(left, 1),
        }

    async def session(request: Request) -> Response:
        if request.method in ("GET", "HEAD"):
            return JSONResponse(state(request), headers={"Cache-Control": "no-store"})
        if request.method == "DELETE":
            sessions.close(session_of(request.headers))
            response = JSONResponse(state(request) | {"authenticated": token is None})
            response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
            return response
        if token is None:  # nothing to log into
            return JSONResponse(state(request))
        given = await _token_from(request)
        if not token_matches(given, token):
            raise ApiError(401, "wrong_token", "wrong token")
        session_id = sessions.open()
        response = JSONResponse(
            {"auth_required": True, "authenticated": True, "expires_in": sessions.ttl}
        )
        response.set_cookie(
            COOKIE,
            session_id,
            max_age=max(1, int(sessions.ttl)),
            path="/",
            secure=request.url.scheme in ("https", "wss"),
            httponly=True,
            samesite="strict",
        )
        return response

    return Route("/session", session, methods=["GET", "POST", "DELETE"])


async def _token_from(request: Request) -> str:
    """The `token` of a small JSON body."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise ApiError(413, "body_too_large", f"body over {MAX_BODY} bytes", limit=MAX_BODY)
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("token"), str):
        raise ApiError(400, "bad_json", 'send {"token": "..."} as JSON')
    return str(data["token"])
