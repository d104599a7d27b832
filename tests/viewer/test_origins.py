"""A page on a foreign origin cannot read the stream (WebSocket, SSE, fetch); an allow-listed
origin's page can. Both pages are real, served by two small HTTP servers on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .browser import wait_for, wait_js

PROBE = b"""<!doctype html><script>
const target = new URLSearchParams(location.search).get("target");
window.result = {};
const ws = new WebSocket(target.replace("http", "ws") + "/ws?features=motion");
ws.onmessage = (m) => { result.ws = JSON.parse(m.data).type; ws.close(); };
ws.onerror = () => { result.ws = result.ws || "refused"; };
const es = new EventSource(target + "/events?features=motion");
es.addEventListener("subscribed", () => { result.sse = "subscribed"; es.close(); });
es.onerror = () => { if (!result.sse) { result.sse = "refused"; es.close(); } };
fetch(target + "/features").then((r) => { result.fetch = r.status; },
                                  () => { result.fetch = "refused"; });
</script>"""


class _Probe(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(PROBE)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[list[str]]:
    """Two origins serving the probe page: [allowed, foreign]."""
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _Probe) for _ in range(2)]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    yield [f"http://127.0.0.1:{s.server_address[1]}" for s in servers]
    for s in servers:
        s.shutdown()
        s.server_close()


def probe(new_page, origin: str, target: str) -> dict:  # type: ignore[no-untyped-def]
    page = new_page()
    page.goto(f"{origin}/probe?target={target}")
    return wait_js(
        page, "window.result.ws && window.result.sse && window.result.fetch && window.result"
    )


def test_a_foreign_page_is_refused_and_an_allow_listed_one_works(serve, new_page, site) -> None:
    allowed, foreign = site
    server = serve("--cors-origin", allowed)
    assert probe(new_page, foreign, server.url) == {
        "ws": "refused",
        "sse": "refused",
        "fetch": "refused",
    }
    assert server.plan()["subscribers"] == 0  # nothing was subscribed on its behalf
    assert probe(new_page, allowed, server.url) == {
        "ws": "subscribed",
        "sse": "subscribed",
        "fetch": 200,
    }
    wait_for(lambda: server.plan()["subscribers"] == 0)  # both closed by the page
