"""Browser access: CORS for allow-listed origins only; foreign pages refused (403)."""

from __future__ import annotations

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from orchestrator.http import Settings
from orchestrator.http.origins import normalise

ALLOWED = "http://dash.example:3000"
FOREIGN = "http://evil.example"


def test_origins_are_normalised_as_browsers_write_them() -> None:
    assert normalise("HTTP://Dash.Example:80/") == "http://dash.example"
    assert normalise("https://dash.example:443") == "https://dash.example"
    assert normalise("https://dash.example:8443") == "https://dash.example:8443"
    assert normalise("http://[::1]:8080") == "http://[::1]:8080"
    for bad in ("null", "dash.example", "ftp://x", "http://x/path", "http://u@x", "http://x:99999"):
        assert normalise(bad) is None, bad


@pytest.fixture
async def live(start):  # type: ignore[no-untyped-def]
    return await start(Settings(cors_origins=(ALLOWED,)))


async def test_a_foreign_page_is_refused_everywhere(live) -> None:
    async with httpx.AsyncClient(base_url=live.url, headers={"Origin": FOREIGN}) as client:
        for path in ("/features", "/plan", "/events?features=motion", "/session"):
            r = await client.get(path)
            assert r.status_code == 403, path
            assert r.json()["error"] == "forbidden_origin"
            assert "access-control-allow-origin" not in r.headers
        assert (await client.post("/session", json={"token": "x"})).status_code == 403
    with pytest.raises(InvalidStatus) as refused:
        async with connect(live.url.replace("http", "ws") + "/ws", origin=FOREIGN):  # type: ignore[arg-type]
            pass
    assert refused.value.response.status_code == 403
    assert orjson.loads(refused.value.response.body)["error"] == "forbidden_origin"
    assert len(live.hub) == 0


async def test_the_own_origin_an_allowed_one_and_programs_are_let_in(live) -> None:
    async with httpx.AsyncClient(base_url=live.url) as client:
        assert (await client.get("/features")).status_code == 200  # no Origin: a program
        own = await client.get("/features", headers={"Origin": live.url})
        assert own.status_code == 200
        allowed = await client.get("/features", headers={"Origin": ALLOWED})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == ALLOWED
        assert allowed.headers["access-control-allow-credentials"] == "true"
    for origin in (live.url, ALLOWED):
        ws = live.url.replace("http", "ws") + "/ws?features=motion"
        async with connect(ws, origin=origin) as sock:  # type: ignore[arg-type]
            assert orjson.loads(await sock.recv())["type"] == "subscribed"


async def test_preflights_are_answered_for_allowed_origins_only(live) -> None:
    ask = {
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    }
    async with httpx.AsyncClient(base_url=live.url) as client:
        ok = await client.options("/events", headers={"Origin": ALLOWED, **ask})
        assert ok.status_code == 200
        assert ok.headers["access-control-allow-origin"] == ALLOWED
        assert "GET" in ok.headers["access-control-allow-methods"]
        assert "authorization" in ok.headers["access-control-allow-headers"].lower()
        no = await client.options("/events", headers={"Origin": FOREIGN, **ask})
        assert no.status_code == 400 and "access-control-allow-origin" not in no.headers
        put = {**ask, "Access-Control-Request-Method": "PUT"}
        bad_method = await client.options("/events", headers={"Origin": ALLOWED, **put})
        assert bad_method.status_code == 400


async def test_without_an_allow_list_only_the_own_origin_passes(start) -> None:
    live = await start()
    async with httpx.AsyncClient(base_url=live.url) as client:
        r = await client.get("/features", headers={"Origin": ALLOWED})
        assert r.status_code == 403
        pre = await client.options(
            "/features", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "GET"}
        )
        assert pre.status_code == 400
