"""Browser login with --token: POST the token once, get a short-lived HttpOnly cookie."""

from __future__ import annotations

from http.cookies import SimpleCookie

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from orchestrator.http import Settings
from orchestrator.http.sessions import COOKIE, Sessions

TOKEN = "browser-token"


def sessions_of(live) -> Sessions:  # type: ignore[no-untyped-def]
    return live.runner.server.config.app.state.sessions


@pytest.fixture
async def live(start):  # type: ignore[no-untyped-def]
    return await start(Settings(token=TOKEN, session_ttl=600))


async def login(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/session", json={"token": token})


async def test_a_wrong_token_gets_no_session(live) -> None:
    async with httpx.AsyncClient(base_url=live.url) as client:
        for body in ({"token": "nope"}, {"token": TOKEN + "x"}, {"token": ""}):
            r = await client.post("/session", json=body)
            assert r.status_code == 401 and r.json()["error"] == "wrong_token"
            assert "set-cookie" not in r.headers
        assert (await client.post("/session", content=b"token=x")).status_code == 400
        assert (await client.post("/session", content=b"x" * 5000)).status_code == 413
        assert (await client.get("/session")).json()["authenticated"] is False
        assert (await client.get("/features")).status_code == 401
        # the token is never taken from a URL
        assert (await client.get("/features", params={"token": TOKEN})).status_code == 401


async def test_the_session_cookie_is_httponly_strict_and_short_lived(live) -> None:
    async with httpx.AsyncClient(base_url=live.url) as client:
        r = await login(client, TOKEN)
        assert r.status_code == 200 and r.json()["authenticated"] is True
        morsel = SimpleCookie(r.headers["set-cookie"])[COOKIE]
        assert morsel["httponly"] and morsel["samesite"] == "strict" and morsel["path"] == "/"
        assert morsel["max-age"] == "600" and not morsel["secure"]  # plain HTTP here
        assert TOKEN not in r.headers["set-cookie"]
        state = (await client.get("/session")).json()
        assert state["authenticated"] and 590 < state["expires_in"] <= 600


async def test_the_cookie_opens_the_api_the_events_and_the_socket(live, sse) -> None:
    async with httpx.AsyncClient(base_url=live.url) as client:
        await login(client, TOKEN)
        cookie = f"{COOKIE}={client.cookies[COOKIE]}"
        assert (await client.get("/features")).status_code == 200
    stream = sse(live.url, {"Cookie": cookie}).open(features="motion")
    await stream.subscribed()
    assert stream.status == 200
    ws = live.url.replace("http", "ws") + "/ws?features=motion"
    async with connect(ws, additional_headers={"Cookie": cookie}) as sock:
        assert orjson.loads(await sock.recv())["type"] == "subscribed"


async def test_logout_and_expiry_end_the_session(live) -> None:
    async with httpx.AsyncClient(base_url=live.url) as client:
        await login(client, TOKEN)
        old = f"{COOKIE}={client.cookies[COOKIE]}"
        out = await client.delete("/session")
        assert out.status_code == 200 and out.json()["authenticated"] is False
        assert "max-age=0" in out.headers["set-cookie"].lower()
        r = await client.get("/features", headers={"Cookie": old})  # the old id, replayed
        assert r.status_code == 401

        await login(client, TOKEN)
        assert (await client.get("/features")).status_code == 200
        sessions_of(live).clock = lambda: float("inf")  # the session's time is up
        assert (await client.get("/features")).status_code == 401
        assert (await client.get("/session")).json()["authenticated"] is False
    ws = live.url.replace("http", "ws") + "/ws"
    with pytest.raises(InvalidStatus) as refused:
        async with connect(ws, additional_headers={"Cookie": old}):
            pass
    assert refused.value.response.status_code == 401


async def test_without_a_token_there_is_nothing_to_log_into(start) -> None:
    live = await start()
    async with httpx.AsyncClient(base_url=live.url) as client:
        state = (await client.get("/session")).json()
        assert state == {"auth_required": False, "authenticated": True, "expires_in": None}
        r = await login(client, "anything")
        assert r.status_code == 200 and "set-cookie" not in r.headers
