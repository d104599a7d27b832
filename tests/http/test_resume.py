"""Resumable result streams over SSE and WebSocket, on a real server and real clients.

A connection is cut mid-stream (by the client, or by the server aborting its socket); the
client comes back within the grace period with its subscription id and the last frame it
got: across the two connections every frame arrives exactly once. A buffer that overflowed
while it was away is one `gap` with the right range; after the grace period the
subscription is released and the plan shrinks.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import connect

from orchestrator.client import AsyncClient
from orchestrator.client.resume import Cursor, afollow
from orchestrator.http import Settings
from orchestrator.http.testing import LiveServer

FRAMES = 60
Events = list[tuple[str, str, dict[str, Any]]]  # (event, id, data)


def planned(live: LiveServer) -> set[str]:
    """The nodes the stream plans for now (every subscription, at any rate)."""
    return {k.id for k in live.hub.requested()}


async def read_sse(
    url: str, events: Events, *, stop_after: int | None = None, **params: Any
) -> None:
    """Read /events into `events` until `end`, or close the connection after `stop_after`
    results (the client walks away mid-stream). `last_event_id` goes in the header."""
    headers = {}
    if "last_event_id" in params:
        headers["Last-Event-ID"] = str(params.pop("last_event_id"))
    results = 0
    async with (
        httpx.AsyncClient(timeout=httpx.Timeout(10, read=30)) as client,
        client.stream("GET", f"{url}/events", params=params, headers=headers) as response,
    ):
        assert response.status_code == 200, await response.aread()
        block: dict[str, str] = {}
        async for line in response.aiter_lines():  # raw frames: which events carry an id
            if line:
                name, _, value = line.partition(":")
                block[name] = value.strip()
                continue
            if "data" not in block:  # a heartbeat comment
                block = {}
                continue
            events.append(
                (block.get("event", ""), block.get("id", ""), orjson.loads(block["data"]))
            )
            block = {}
            kind = events[-1][0]
            results += kind == "result"
            if kind == "end" or (stop_after is not None and results >= stop_after):
                return


async def ws_walk_away(
    live: Any, ws_url: str, lines: list[bytes], received: int, fps: float | None = None
) -> tuple[list[dict[str, Any]], asyncio.Task[None]]:
    """Subscribe over a WebSocket, start feeding `lines`, and close the socket after
    `received` events (`subscribed` included): those events, and the feeding task."""
    first: list[dict[str, Any]] = []
    async with connect(ws_url) as ws:
        await ws.send(orjson.dumps({"type": "subscribe", "features": "image.quality"}).decode())
        first.append(orjson.loads(await ws.recv()))
        feeding = asyncio.create_task(live.feed(lines, fps=fps))
        while len(first) < received:
            first.append(orjson.loads(await ws.recv()))
    return first, feeding


def frames_of(events: Events) -> list[int]:
    return [d["frame"] for kind, _, d in events if kind == "result"]


async def test_sse_client_cuts_and_resumes_every_frame_exactly_once(start, until, tiny) -> None:
    live = await start(Settings(grace=5))
    first: Events = []
    reading = asyncio.create_task(
        read_sse(live.url, first, features="image.quality", stop_after=10)
    )
    await until(lambda: len(live.hub) == 1)
    feeding = asyncio.create_task(live.feed(tiny(FRAMES), fps=200))
    await reading  # the client walked away after 10 results, with the stream going on
    await until(lambda: live.service.resumer.detached == 1)
    assert planned(live) == {"image.quality"}  # still planned during the grace
    await asyncio.sleep(0.05)  # frames go by while it is away
    sub_id, last = first[0][2]["subscriber"], int(first[-1][1])
    second: Events = []
    resuming = asyncio.create_task(
        read_sse(live.url, second, subscriber=sub_id, last_event_id=last, features="motion")
    )
    await feeding
    live.end_input()
    await resuming

    assert frames_of(first) + frames_of(second) == list(range(FRAMES))
    ack = second[0][2]
    assert second[0][0] == "subscribed" and ack["resumed"] and ack["gap"] is None
    assert ack["features"] == ["image.quality"]  # its own subset, whatever else is asked
    assert second[-1][0] == "end" and second[-1][2]["code"] == "end_of_stream"
    # ids: the frame number on frame events, on nothing else
    for kind, event_id, data in first + second:
        assert event_id == (str(data["frame"]) if kind == "result" else ""), (kind, event_id)
    resumes = live.telemetry.by_label("framegraph_resumes_total", "outcome")
    assert resumes == {"complete": 1.0}


async def test_server_cut_the_python_client_resumes_by_itself(start, until, tiny) -> None:
    live = await start(Settings(grace=5))
    got: list[Any] = []

    async def watch() -> None:
        async with AsyncClient(live.url) as client:
            stream = afollow(lambda c: client.events("image.quality", resume=c.query("sse")))
            async for event in stream:
                got.append(event)

    watching = asyncio.create_task(watch())
    await until(lambda: len(live.hub) == 1)
    feeding = asyncio.create_task(live.feed(tiny(FRAMES), fps=200))
    await until(lambda: sum(e.type == "result" for e in got) >= 15)
    for conn in list(live.runner.server.server_state.connections):  # the server drops them
        conn.transport.abort()  # type: ignore[attr-defined]
    await feeding
    await until(lambda: any(e.data.get("resumed") for e in got), timeout=5)
    live.end_input()
    await asyncio.wait_for(watching, 10)

    assert [e.frame for e in got if e.type == "result"] == list(range(FRAMES))
    assert [e.type for e in got].count("subscribed") == 2 and got[-1].type == "end"


async def test_an_overflowed_buffer_is_one_gap_with_the_right_range(start, until, tiny) -> None:
    live = await start(Settings(grace=5, resume_frames=5))
    first: Events = []
    await read_sse(live.url, first, features="image.quality", stop_after=0)  # only `subscribed`
    sub_id = first[0][2]["subscriber"]
    await until(lambda: live.service.resumer.detached == 1)
    await live.feed(tiny(20))
    await live.frames_done(20)
    second: Events = []
    resuming = asyncio.create_task(read_sse(live.url, second, subscriber=sub_id))
    await until(lambda: len(second) >= 7)
    live.end_input()
    await resuming

    kinds = [k for k, _, _ in second]
    assert kinds == ["subscribed", "gap"] + ["result"] * 5 + ["end"]
    assert second[0][2]["gap"] == [0, 14] and second[0][2]["replayed"] == 5
    gap = second[1][2]
    assert (gap["frame"], gap["last_frame"], gap["count"]) == (0, 14, 15)
    assert second[1][1] == ""  # a gap carries no id
    assert frames_of(second) == [15, 16, 17, 18, 19]
    assert live.telemetry.by_label("framegraph_resumes_total", "outcome") == {"gap": 1.0}


async def test_after_the_grace_period_the_subscription_is_released(start, until, tiny) -> None:
    live = await start(Settings(grace=0.3))
    stay: Events = []
    staying = asyncio.create_task(read_sse(live.url, stay, features="image.quality"))
    gone: Events = []
    await read_sse(live.url, gone, features="motion", stop_after=0)
    await until(lambda: live.service.resumer.detached == 1)
    assert planned(live) == {"image.quality", "motion"}  # kept for the grace period
    await until(lambda: planned(live) == {"image.quality"})  # then released
    assert live.service.resumer.detached == 0
    async with httpx.AsyncClient() as client:
        r = await client.get(f"{live.url}/events", params={"subscriber": gone[0][2]["subscriber"]})
    assert r.status_code == 404 and r.json()["error"] == "unknown_subscription"
    await live.feed(tiny(3))
    await live.frames_done(3)
    computed = live.telemetry.by_label("framegraph_feature_computations_total", "feature")
    assert "motion" not in computed and computed["image.quality"] == 3
    live.end_input()
    await staying


async def test_websocket_resume_from(start, until, tiny) -> None:
    live = await start(Settings(grace=5))
    ws_url = live.url.replace("http://", "ws://") + "/ws"
    first, feeding = await ws_walk_away(live, ws_url, tiny(FRAMES), 12, fps=200)
    await until(lambda: live.service.resumer.detached == 1)
    sub_id, last = first[0]["subscriber"], first[-1]["frame"]
    second: list[dict[str, Any]] = []
    async with connect(f"{ws_url}?subscriber={sub_id}&resume_from={last}") as ws:
        await feeding
        live.end_input()
        async for raw in ws:
            second.append(orjson.loads(raw))
    frames = [e["frame"] for e in first + second if e["type"] == "result"]
    assert frames == list(range(FRAMES))
    assert second[0]["type"] == "subscribed" and second[0]["resumed"]
    assert second[-1]["type"] == "end"


async def test_resume_refusals(start, until) -> None:
    live = await start(Settings(grace=5))
    first: Events = []
    await read_sse(live.url, first, features="image.quality", stop_after=0)
    sub_id = first[0][2]["subscriber"]
    async with httpx.AsyncClient(base_url=live.url) as client:
        ahead = await client.get("/events", params={"subscriber": sub_id, "last_event_id": 99})
        bad = await client.get("/events", params={"subscriber": "x"})
    assert (ahead.status_code, ahead.json()["error"]) == (400, "bad_resume")
    assert (bad.status_code, bad.json()["error"]) == (400, "bad_subscriber")
    assert Cursor(sub_id, 3).query("sse") == {"subscriber": str(sub_id), "last_event_id": "3"}


async def test_websocket_resume_message_after_the_end_of_stream(start, until, tiny) -> None:
    """A client that lost its socket near the end comes back after the stream ended and
    resumes with a message (not the URL): its last events and `end`, not a bare 1001."""
    live = await start(Settings(grace=5))
    ws_url = live.url.replace("http://", "ws://") + "/ws"
    first, feeding = await ws_walk_away(live, ws_url, tiny(10), 6)
    await feeding
    await until(lambda: live.service.resumer.detached == 1)
    live.end_input()
    await until(live.service.closing.is_set)  # the stream is over
    sub_id, last = first[0]["subscriber"], first[-1]["frame"]
    second: list[dict[str, Any]] = []
    async with connect(ws_url) as ws:
        resume = {"type": "subscribe", "subscriber": sub_id, "resume_from": last, "id": "r"}
        await ws.send(orjson.dumps(resume).decode())
        async for raw in ws:
            second.append(orjson.loads(raw))
        assert ws.close_code == 1000
    frames = [e["frame"] for e in first + second if e["type"] == "result"]
    assert frames == list(range(10))
    ack = second[0]
    assert (ack["type"], ack["resumed"], ack["id"], ack["replayed"]) == ("subscribed", True, "r", 5)
    assert second[-1]["type"] == "end" and second[-1]["code"] == "end_of_stream"
