"""GET /: the live viewer, static files shipped in the package (`orchestrator/http/viewer/`).

Plain JavaScript modules, no build step, nothing fetched from elsewhere: the page works
in a closed network. It talks to this same server only (/features, /plan, /session, the
WebSocket), and the headers below keep it that way: the Content-Security-Policy lets it
load and connect to its own origin only, and no other site may frame it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

FILES = Path(__file__).with_name("viewer")
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'{sockets}; "
    "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP.format(sockets=""),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",  # revalidate (cheap, with ETags): an upgrade shows at once
}
HOST = re.compile(r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")


def page_headers(host: str | None) -> dict[str, str]:
    """The page's headers; its CSP names the WebSocket URLs of this host as well, for
    browsers whose 'self' does not cover ws:/wss: (older Safari)."""
    sockets = f" ws://{host} wss://{host}" if host and HOST.fullmatch(host) else ""
    return HEADERS | {"Content-Security-Policy": CSP.format(sockets=sockets)}


class _ViewerFiles(StaticFiles):
    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers.update(HEADERS)
        return response


def viewer_routes() -> list[BaseRoute]:
    async def index(request: Request) -> Response:
        return FileResponse(FILES / "index.html", headers=page_headers(request.headers.get("host")))

    return [
        Route("/", index, methods=["GET"]),
        Mount("/viewer", app=_ViewerFiles(directory=FILES), name="viewer"),
    ]
