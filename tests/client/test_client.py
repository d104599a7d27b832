"""The Python client against a real server: JSON endpoints, SSE streams, WebSocket sessions."""

from __future__ import annotations

import asyncio

import pytest

from orchestrator.client import AsyncClient, Client, ServiceError
from orchestrator.http.testing import synthetic_lines


async def test_json_endpoints(live, token) -> None:
    async with AsyncClient(live.url, token) as fg:
        names = [f["name"] for f in await fg.features()]
        assert "motion" in names
        assert (await fg.plan(["motion"]))["order"][-1] == "motion"
        assert (await fg.health())["status"] == "ok"
        assert (await fg.ready())[0] is True
        assert "framegraph_frames_received_total" in await fg.metrics()
        with pytest.raises(ServiceError) as err:
            await fg.plan("motion,bogus")
        assert (err.value.status, err.value.code) == (400, "unknown_feature")
        assert "motion" in err.value.body["valid"]
    async with AsyncClient(live.url, "wrong") as fg:
        with pytest.raises(ServiceError) as err:
            await fg.features()
        assert err.value.status == 401


async def test_sse_events_until_end(live, token) -> None:
    async with AsyncClient(live.url, token) as fg:
        seen = []

        async def watch() -> None:
            async for event in fg.events(["motion", "scene.cut"], policy="lossless", queue=16):
                seen.append(event)

        task = asyncio.create_task(watch())
        while not seen:
            await asyncio.sleep(0.01)
        await live.feed(synthetic_lines(5))
        live.end_input()
        await asyncio.wait_for(task, 10)
    assert [e.type for e in seen] == ["subscribed"] + ["result"] * 5 + ["end"]
    assert seen[0].data["policy"] == "lossless" and seen[0].data["queue"] == 16
    assert [e.frame for e in seen[1:-1]] == list(range(5))
    assert all(set(e.features) == {"motion", "scene.cut"} for e in seen[1:-1])
    assert seen[-1].data["code"] == "end_of_stream"


async def test_websocket_session_changes_its_subset(live, token) -> None:
    async with AsyncClient(live.url, token) as fg, fg.connect() as ws:
        ack = await ws.subscribe("image.quality")
        assert ack["type"] == "subscribed" and ack["features"] == ["image.quality"]
        with pytest.raises(ServiceError) as err:
            await ws.change(["image.quality", "nope"])
        assert err.value.code == "unknown_feature" and err.value.status == 400
        ack = await ws.change(["motion"])
        assert ack["type"] == "changed" and ack["plan"]["requested"] == ["motion"]
        await live.feed(synthetic_lines(3))
        live.end_input()
        events = [e async for e in ws]
    assert [e.type for e in events] == ["result"] * 3 + ["end"]
    assert all(set(e.features) == {"motion"} for e in events[:-1])


async def test_websocket_subscribe_on_connect_and_unsubscribe(live, token) -> None:
    async with AsyncClient(live.url, token) as fg, fg.connect("motion") as ws:
        first = await anext(aiter(ws))
        assert first.type == "subscribed"
        assert (await ws.unsubscribe())["type"] == "unsubscribed"
        assert len(live.hub) == 0


async def test_refused_websocket_raises_service_error(live) -> None:
    async with AsyncClient(live.url, "wrong") as fg:
        with pytest.raises(ServiceError) as err:
            async with fg.connect("motion"):
                pass
    assert err.value.status == 401 and err.value.code == "unauthorized"


async def test_the_blocking_client(live, token) -> None:
    """The same surface without asyncio (run in a thread: the server lives in this loop)."""
    loop = asyncio.get_running_loop()

    async def feed() -> None:
        await live.feed(synthetic_lines(2))
        live.end_input()

    def run() -> tuple[list[str], list[str]]:
        with Client(live.url, token) as fg:
            assert "motion" in [f["name"] for f in fg.features()]
            with fg.connect("motion") as ws:
                acks = [ws.change("scene.cut")["type"], ws.unsubscribe()["type"]]
                with pytest.raises(ServiceError):
                    ws.change("motion")  # not subscribed any more
            with pytest.raises(ServiceError):
                fg.plan("bogus")
            events = []
            for event in fg.events("image.quality"):
                events.append(event.type)
                if event.type == "subscribed":
                    asyncio.run_coroutine_threadsafe(feed(), loop)
            return acks, events

    acks, events = await asyncio.to_thread(run)
    assert acks == ["changed", "unsubscribed"]
    assert events == ["subscribed", "result", "result", "end"]


async def test_heartbeats_between_events_are_not_events() -> None:
    from orchestrator.http import Settings
    from orchestrator.http.testing import LiveServer

    async with LiveServer(Settings(heartbeat=0.05)) as live, AsyncClient(live.url) as fg:
        seen = []

        async def watch() -> None:
            async for event in fg.events("image.quality"):
                seen.append(event.type)

        task = asyncio.create_task(watch())
        while not seen:
            await asyncio.sleep(0.01)
        await live.feed(synthetic_lines(1))
        await asyncio.sleep(0.3)  # several heartbeats after an event with an id
        live.end_input()
        await asyncio.wait_for(task, 10)
    assert seen == ["subscribed", "result", "end"]
