"""GET /: the viewer's files, served from the package with headers that keep it to itself."""

from __future__ import annotations

import re

import httpx

from orchestrator.http import Settings
from orchestrator.http.viewer import FILES, page_headers


async def test_the_page_and_its_modules_are_served_with_a_strict_policy(start) -> None:
    live = await start(Settings(token="t"))  # the page is open: it must show its login
    async with httpx.AsyncClient(base_url=live.url) as client:
        page = await client.get("/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        csp = page.headers["content-security-policy"]
        host = live.url.removeprefix("http://")
        assert "script-src 'self'" in csp and f"connect-src 'self' ws://{host}" in csp
        assert "frame-ancestors 'none'" in csp
        for path in re.findall(r'(?:src|href)="(viewer/[^"]+)"', page.text):
            r = await client.get(f"/{path}")
            assert r.status_code == 200, path
            assert r.headers["x-content-type-options"] == "nosniff"
        js = await client.get("/viewer/js/main.js")
        assert "javascript" in js.headers["content-type"]
        for sneaky in ("/viewer/%2e%2e/features", "/viewer/%2e%2e/auth.py"):
            assert (await client.get(sneaky)).status_code == 404  # the open prefix leads nowhere
        assert (await client.get("/viewer/js/nothing.js")).status_code == 404
        assert (await client.get("/features")).status_code == 401  # the API is not open


def test_every_module_the_viewer_imports_is_shipped() -> None:
    modules = sorted((FILES / "js").glob("*.js"))
    assert modules
    for module in modules:
        for name in re.findall(r'from "\./([\w.]+\.js)"', module.read_text()):
            assert (FILES / "js" / name).is_file(), (module.name, name)


def test_nothing_is_loaded_from_elsewhere() -> None:
    for path in FILES.rglob("*"):
        if path.is_file():
            assert not re.search(r"https?://|//cdn", path.read_text()), path


def test_the_policy_names_this_host_only_when_it_is_a_host() -> None:
    assert "ws://example.com:8080 " in page_headers("example.com:8080")["Content-Security-Policy"]
    assert "ws://[::1]:80 " in page_headers("[::1]:80")["Content-Security-Policy"]
    for bad in (None, "", "x; script-src *", "a b", "host\n"):
        assert "ws://" not in page_headers(bad)["Content-Security-Policy"]
