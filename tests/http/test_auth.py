"""Bearer token: 401 without it, 200 with it; probes and metrics stay open."""

from __future__ import annotations

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from orchestrator.http import Settings

TOKEN = "s3cret-token"
GOOD = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
async def live(start):  # type: ignore[no-untyped-def]
    return await start(Settings(token=TOKEN))


PROTECTED = ["/features", "/plan?features=motion", "/events?features=motion", "/nowhere"]
WRONG = [None, "Bearer wrong", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", TOKEN, f"Basic {TOKEN}"]


async def test_protected_endpoints_refuse_without_the_right_token(live) -> None:
    async with httpx.AsyncClient(base_url=live.url) as client:
        for path in PROTECTED:
            for header in WRONG:
                r = await client.get(path, headers={"Authorization": header} if header else {})
                assert r.status_code == 401, (path, header)
                assert r.json()["error"] == "unauthorized"
                assert r.headers["www-authenticate"].startswith("Bearer")


async def test_the_right_token_is_let_in(live, sse) -> None:
    async with httpx.AsyncClient(base_url=live.url, headers=GOOD) as client:
        assert (await client.get("/features")).status_code == 200
        assert (await client.get("/plan", params={"features": "motion"})).status_code == 200
    stream = sse(live.url, GOOD).open(features="motion")
    await stream.subscribed()
    assert stream.status == 200


async def test_probes_and_metrics_need_no_token(live) -> None:
    async with httpx.AsyncClient(base_url=live.url) as client:
        for path in ("/healthz", "/readyz", "/metrics"):
            assert (await client.get(path)).status_code == 200


async def test_websocket_handshake_needs_the_token(live) -> None:
    url = live.url.replace("http", "ws") + "/ws?features=motion"
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url):
            pass
    assert refused.value.response.status_code == 401
    assert orjson.loads(refused.value.response.body)["error"] == "unauthorized"
    async with connect(url, additional_headers=GOOD) as ws:
        assert orjson.loads(await ws.recv())["type"] == "subscribed"


def test_the_comparison_takes_constant_time(monkeypatch) -> None:
    import orchestrator.http.auth as auth

    calls = []
    real = auth.hmac.compare_digest
    monkeypatch.setattr(auth.hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    mw = auth.BearerAuth(app=None, token=TOKEN)  # type: ignore[arg-type]
    assert mw._authorized({"headers": [(b"authorization", f"Bearer {TOKEN}".encode())]})
    assert not mw._authorized({"headers": []})
    assert len(calls) == 2
