"""Resume over gRPC: a call cut by the client, and by the server (its gRPC listener goes
away and comes back while the stream goes on); every frame arrives exactly once."""

from __future__ import annotations

import asyncio

from orchestrator.client.events import Event
from orchestrator.client.grpc import GrpcClient
from orchestrator.client.resume import Cursor, afollow
from orchestrator.http import Settings
from orchestrator.rpc.server import GrpcServer

FRAMES = 60


async def test_client_cut_then_resume_from(start, until, tiny) -> None:
    live = await start(Settings(grace=5))
    rpc = GrpcServer(live.service, port=0)
    await rpc.start()
    try:
        async with GrpcClient(f"127.0.0.1:{rpc.port}") as client:
            cursor = Cursor()
            first: list[Event] = []
            feeding = None
            async for event in client.events("image.quality"):
                cursor.observe(event)
                first.append(event)
                if feeding is None:
                    feeding = asyncio.create_task(live.feed(tiny(FRAMES), fps=200))
                if sum(e.type == "result" for e in first) == 10:
                    break  # the client hangs up mid-stream
            await until(lambda: live.service.resumer.detached == 1)
            assert cursor.last_frame == 9
            second = []
            assert feeding is not None
            await feeding
            live.end_input()
            async for event in client.events(resume=cursor):
                second.append(event)
        frames = [e.frame for e in first + second if e.type == "result"]
        assert frames == list(range(FRAMES))
        assert second[0].data["resumed"] and second[-1].type == "end"
    finally:
        await rpc.stop(0)


async def test_server_cut_the_client_resumes_by_itself(start, until, tiny) -> None:
    live = await start(Settings(grace=5))
    rpc = GrpcServer(live.service, port=0)
    await rpc.start()
    port = rpc.port
    got: list[Event] = []

    async def watch() -> None:
        async with GrpcClient(f"127.0.0.1:{port}") as client:
            async for event in afollow(lambda c: client.events("motion", resume=c)):
                got.append(event)

    watching = asyncio.create_task(watch())
    await until(lambda: len(live.hub) == 1)
    feeding = asyncio.create_task(live.feed(tiny(FRAMES), fps=150))
    await until(lambda: sum(e.type == "result" for e in got) >= 10)
    await rpc.stop(0)  # the server side goes away: the call breaks
    await until(lambda: live.service.resumer.detached == 1)
    rpc = GrpcServer(live.service, port=port)  # and comes back, the stream still running
    await rpc.start()
    try:
        await feeding
        await until(lambda: any(e.data.get("resumed") for e in got), timeout=5)
        live.end_input()
        await asyncio.wait_for(watching, 10)
    finally:
        await rpc.stop(0)
    assert [e.frame for e in got if e.type == "result"] == list(range(FRAMES))
    assert [e.type for e in got].count("subscribed") == 2 and got[-1].type == "end"
