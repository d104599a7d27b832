"""Limits: subscribers, connections, queue sizes, request and message sizes, with clear errors."""

from __future__ import annotations

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from orchestrator.http import Settings


def ws(live, query: str = "") -> str:  # type: ignore[no-untyped-def]
    return live.url.replace("http", "ws") + "/ws" + query


async def test_subscriber_limit_is_503_with_retry_after(start, sse) -> None:
    live = await start(Settings(max_subscribers=2))
    for _ in range(2):
        await sse(live.url).open(features="motion").subscribed()
    full = sse(live.url).open(features="motion")
    await full.subscribed()
    assert full.status == 503 and full.events[0][1]["error"] == "subscriber_limit"
    async with httpx.AsyncClient() as client:
        r = await client.get(f"{live.url}/events", params={"features": "motion"})
    assert r.headers["retry-after"] == "5" and r.json()["limit"] == 2
    with pytest.raises(InvalidStatus) as refused:  # subscribe-on-connect: refused up front
        async with connect(ws(live, "?features=motion")):
            pass
    assert refused.value.response.status_code == 503
    async with connect(ws(live)) as sock:  # a later subscribe request: rejected, socket kept
        await sock.send(orjson.dumps({"type": "subscribe", "features": "motion"}).decode())
        reply = orjson.loads(await sock.recv())
        assert reply["type"] == "rejected" and reply["status"] == 503
        assert reply["error"] == "subscriber_limit"
    assert len(live.hub) == 2


async def test_connection_limit_counts_open_sockets_and_streams(start, sse, until) -> None:
    live = await start(Settings(max_connections=1))
    async with connect(ws(live)):
        with pytest.raises(InvalidStatus) as refused:
            async with connect(ws(live)):
                pass
        assert refused.value.response.status_code == 503
        stream = sse(live.url).open(features="motion")
        await stream.subscribed()
        assert stream.status == 503 and stream.events[0][1]["error"] == "connection_limit"
    await until(lambda: live.service.connections == 0)  # released once it closes


BAD = [
    ("/events", {"features": "motion", "queue": "0"}, "bad_queue"),
    ("/events", {"features": "motion", "queue": "100000"}, "bad_queue"),
    ("/events", {"features": "motion", "queue": "many"}, "bad_queue"),
    ("/events", {"features": "motion", "policy": "eventually"}, "bad_policy"),
    ("/events", {"features": "motion,bogus"}, "unknown_feature"),
    ("/events", {}, "no_features"),
    ("/plan", {"features": "bogus"}, "unknown_feature"),
]


async def test_bad_requests_are_400_saying_what_is_valid(start) -> None:
    live = await start()
    async with httpx.AsyncClient(base_url=live.url) as client:
        for path, query, code in BAD:
            r = await client.get(path, params=query)
            assert (r.status_code, r.json()["error"]) == (400, code), (path, query)
            if code in ("unknown_feature", "no_features"):
                valid = r.json()["valid"]
                assert {"image.quality", "motion", "scene.cut"} <= set(valid)
                assert valid == live.worker.catalog.public()
    assert len(live.hub) == 0


async def test_default_features_apply_when_none_are_named(start, sse) -> None:
    live = await start(Settings(default_features=("scene.cut",)))
    stream = sse(live.url).open()
    await stream.subscribed()
    assert stream.events[0][1]["features"] == ["scene.cut"]


async def test_query_string_size_is_bounded(start) -> None:
    live = await start(Settings(max_query_bytes=100))
    async with httpx.AsyncClient() as client:
        r = await client.get(f"{live.url}/plan", params={"features": "motion," * 30})
    assert r.status_code == 414 and r.json()["error"] == "query_too_long"


async def test_websocket_messages_are_bounded(start) -> None:
    live = await start(Settings(max_message_bytes=1024))
    async with connect(ws(live)) as sock:
        await sock.send(orjson.dumps({"type": "subscribe", "features": ["x" * 2000]}).decode())
        with pytest.raises(ConnectionClosed) as closed:
            await sock.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
