"""WS /ws: subscribe, change the subset mid-stream, unsubscribe; the plan follows."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from orchestrator.http import Settings


def ws_url(live: Any, query: str = "") -> str:
    return live.url.replace("http://", "ws://") + "/ws" + query


async def request(ws: ClientConnection, **body: Any) -> dict[str, Any]:
    await ws.send(orjson.dumps(body).decode())
    return await reply(ws)


async def reply(ws: ClientConnection) -> dict[str, Any]:
    return orjson.loads(await ws.recv(decode=False))


async def results_until(ws: ClientConnection, last_frame: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while True:
        event = await reply(ws)
        if event["type"] == "result":
            out.append(event)
            if event["frame"] == last_frame:
                return out


def computed(live: Any) -> dict[str, float]:
    return live.telemetry.by_label("framegraph_feature_computations_total", "feature")


async def test_changing_the_subset_grows_and_shrinks_the_plan(start, tiny) -> None:
    live = await start()
    async with connect(ws_url(live)) as ws:
        ack = await request(ws, type="subscribe", features=["image.quality"], id=1)
        assert ack["type"] == "subscribed" and ack["id"] == 1 and ack["from_frame"] == 0
        assert "motion" not in ack["plan"]["order"]
        await live.feed(tiny(5))
        first = await results_until(ws, 4)

        ack = await request(ws, type="change", features="image.quality,motion", id=2)
        assert ack["type"] == "changed" and ack["from_frame"] == 5
        assert ack["plan"]["requested"] == ["image.quality", "motion"]
        await live.feed(tiny(5))
        grown = await results_until(ws, 9)
        assert computed(live)["motion"] == 5  # computed only since someone wants it

        ack = await request(ws, type="change", features=["motion"], id=3)
        assert ack["from_frame"] == 10 and ack["plan"]["requested"] == ["motion"]
        assert "image.gray" not in ack["plan"]["order"]
        await live.feed(tiny(5))
        shrunk = await results_until(ws, 14)

    assert all(set(r["features"]) == {"image.quality"} for r in first)
    assert all(set(r["features"]) == {"image.quality", "motion"} for r in grown)
    assert all(set(r["features"]) == {"motion"} for r in shrunk)
    counts = computed(live)
    # nobody wants image.quality any more: it (and its prerequisite) stopped at frame 9
    assert counts["image.quality"] == 10 and counts["image.gray"] == 10
    assert counts["motion"] == 10
    assert live.telemetry.value("framegraph_plan_rebuilds_total") >= 2


async def test_requests_that_fail_are_rejected_and_the_socket_stays_usable(start) -> None:
    live = await start()
    async with connect(ws_url(live)) as ws:
        r = await request(ws, type="change", features=["motion"], id="a")
        assert (r["type"], r["error"], r["id"]) == ("rejected", "not_subscribed", "a")
        r = await request(ws, type="subscribe", features=["motion", "nope"])
        assert r["error"] == "unknown_feature" and r["status"] == 400
        assert r["unknown"] == ["nope"] and "motion" in r["valid"]
        await ws.send("{not json")
        assert (await reply(ws))["error"] == "bad_json"
        r = await request(ws, type="dance")
        assert r["error"] == "unknown_type"
        assert (await request(ws, type="subscribe", features="motion"))["type"] == "subscribed"
        r = await request(ws, type="subscribe", features="motion")
        assert r["error"] == "already_subscribed"
        r = await request(ws, type="change", features=[])
        assert r["error"] == "no_features"
        assert {k.id for k in live.hub.requested()} == {"motion"}


async def test_unsubscribe_stops_events_and_allows_a_new_subscription(start, until, tiny) -> None:
    live = await start()
    async with connect(ws_url(live, "?features=motion")) as ws:
        ack = await reply(ws)
        assert ack["type"] == "subscribed" and ack["features"] == ["motion"]
        r = await request(ws, type="unsubscribe", id=7)
        assert (r["type"], r["id"]) == ("unsubscribed", 7)
        assert {k.id for k in live.hub.requested()} == frozenset()
        await live.feed(tiny(3))
        await live.frames_done(3)
        r = await request(ws, type="subscribe", features="image.quality", policy="lossless")
        assert r["policy"] == "lossless" and r["from_frame"] == 3
        await live.feed(tiny(1))
        event = await reply(ws)  # no leftover motion event: the next one is frame 3
        assert event["frame"] == 3 and set(event["features"]) == {"image.quality"}


async def test_without_grace_a_disconnect_releases_at_once(start, until) -> None:
    live = await start(Settings(grace=0))  # with one, tests/http/test_resume.py
    async with connect(ws_url(live, "?features=scene.cut")) as ws:
        await reply(ws)
        assert {k.id for k in live.hub.requested()} == {"scene.cut"}
    assert await until(lambda: len(live.hub) == 0) < 1.0
    assert live.telemetry.value("framegraph_subscribers", {"policy": "latest"}) == 0


async def test_end_of_stream_sends_end_then_closes_normally(start, tiny) -> None:
    live = await start()
    async with connect(ws_url(live, "?features=motion")) as ws:
        await reply(ws)
        await live.feed(tiny(2))
        live.end_input()
        events = [await reply(ws) for _ in range(3)]
        assert [e["type"] for e in events] == ["result", "result", "end"]
        assert events[-1]["code"] == "end_of_stream"
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000


async def test_bad_query_subscription_is_refused_before_the_handshake(start) -> None:
    live = await start()
    with pytest.raises(InvalidStatus) as refused:
        async with connect(ws_url(live, "?features=nope")):
            pass
    assert refused.value.response.status_code == 400
    assert orjson.loads(refused.value.response.body)["error"] == "unknown_feature"


async def test_an_idle_socket_is_closed_going_away_when_the_server_stops(start) -> None:
    live = await start()
    async with connect(ws_url(live)) as ws:
        live.runner.stop()
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
