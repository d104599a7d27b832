"""`framegraph watch` as users run it: a subprocess printing JSON lines from a live server,
and following a `framegraph serve` process through a connection that is cut."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import struct
import sys
import time
from pathlib import Path

import orjson
import pytest

from orchestrator.http.testing import synthetic_lines

from ..rpc.conftest import TOKEN as RPC_TOKEN
from ..rpc.conftest import Serve

FRAMEGRAPH = str(Path(sys.executable).with_name("framegraph"))


async def watch(live, token: str | None, *args: str) -> asyncio.subprocess.Process:  # type: ignore[no-untyped-def]
    env = {**os.environ, "FRAMEGRAPH_TOKEN": token or ""}
    return await asyncio.create_subprocess_exec(
        FRAMEGRAPH,
        "watch",
        live.url,
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def until_subscribers(live, n: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(500):
        if len(live.hub) >= n:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{len(live.hub)} subscribers, expected {n}")


async def test_two_watchers_on_different_subsets(live, token) -> None:
    sse = await watch(live, token, "--features", "motion")
    ws = await watch(live, token, "-f", "image.quality", "-f", "scene.cut", "--ws")
    await until_subscribers(live, 2)
    await live.feed(synthetic_lines(4))
    live.end_input()
    for proc, subset in ((sse, {"motion"}), (ws, {"image.quality", "scene.cut"})):
        out, err = await asyncio.wait_for(proc.communicate(), 20)
        assert proc.returncode == 0, err.decode()
        events = [orjson.loads(line) for line in out.splitlines()]
        assert [e["type"] for e in events] == ["subscribed"] + ["result"] * 4 + ["end"]
        assert all(set(e["features"]) == subset for e in events[1:-1])
        assert [e["frame"] for e in events[1:-1]] == [0, 1, 2, 3]


async def test_count_stops_early(live, token) -> None:
    proc = await watch(live, token, "-f", "motion", "--count", "2")
    await until_subscribers(live, 1)
    await live.feed(synthetic_lines(5))
    out, _ = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0
    assert [orjson.loads(line)["type"] for line in out.splitlines()] == [
        "subscribed",
        "result",
        "result",
    ]


async def test_refusals_exit_1_with_the_reason_on_stderr(live, token) -> None:
    proc = await watch(live, token, "-f", "motion,bogus")
    out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 1 and out == b""
    failure = orjson.loads(err)
    assert failure["status"] == 400 and failure["error"] == "unknown_feature"
    assert "motion" in failure["valid"]
    proc = await watch(live, "wrong", "-f", "motion", "--ws")
    _, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 1 and orjson.loads(err)["status"] == 401


class Cutter:
    """A TCP relay in front of a server that can cut every connection through it at once,
    with a reset both ways: to the client its server's side vanished mid-stream, to the
    server its client did (how a real network fault looks to a separate server process)."""

    def __init__(self, upstream: str) -> None:
        host, _, port = upstream.rpartition(":")
        self.upstream = (host, int(port))
        self.links: list[asyncio.StreamWriter] = []
        self.relays: set[asyncio.Task] = set()
        self.accepted = 0
        self.port = 0
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> Cutter:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        self.cut()
        await asyncio.wait_for(asyncio.gather(*self.relays), 5)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        relay = asyncio.current_task()
        assert relay is not None
        self.relays.add(relay)
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        self.links += [writer, up_writer]

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    def cut(self) -> None:
        for writer in self.links:
            sock = writer.get_extra_info("socket")
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()  # closed with SO_LINGER 0: a reset, not a goodbye
        self.links.clear()


async def until(check, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.01)


@pytest.mark.parametrize("transport", ["sse", "ws", "grpc"])
async def test_watch_resumes_through_a_cut_connection(transport: str) -> None:
    """A real `framegraph serve` process, `framegraph watch` following it through a relay
    that cuts the connection mid-stream: watch reconnects and resumes by itself, and its
    output holds every frame exactly once (a second `subscribed` says it resumed)."""
    frames = 50
    server = Serve("--lossless")
    proc = None
    try:
        upstream = server.target if transport == "grpc" else server.url.split("://")[1]
        async with Cutter(upstream) as relay:
            url = f"127.0.0.1:{relay.port}"
            option = {"sse": [], "ws": ["--ws"], "grpc": ["--grpc"]}[transport]
            proc = await asyncio.create_subprocess_exec(
                FRAMEGRAPH,
                "watch",
                url if transport == "grpc" else f"http://{url}",
                "-f",
                "image.quality",
                *option,
                env={**os.environ, "FRAMEGRAPH_TOKEN": RPC_TOKEN},
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            assert proc.stdout is not None
            events: list[dict] = []

            async def read() -> None:
                assert proc.stdout is not None
                while line := await proc.stdout.readline():
                    events.append(orjson.loads(line))

            reading = asyncio.create_task(read())
            await until(lambda: bool(events))
            lines = synthetic_lines(frames)
            feeding = asyncio.create_task(asyncio.to_thread(feed_paced, server, lines, 60))
            await until(lambda: sum(e["type"] == "result" for e in events) >= 10)
            relay.cut()  # mid-stream: frames keep coming while watch is away
            await feeding
            server.end_input()
            assert proc.stderr is not None
            err = await asyncio.wait_for(proc.stderr.read(), 30)
            await asyncio.wait_for(asyncio.gather(reading, proc.wait()), 10)
    finally:
        if proc is not None and proc.returncode is None:
            proc.kill()
            await proc.wait()
        server.stop()
    assert proc.returncode == 0, err.decode()
    assert [e["frame"] for e in events if e["type"] == "result"] == list(range(frames))
    acks = [e for e in events if e["type"] == "subscribed"]
    assert len(acks) == 2 and acks[1]["resumed"] and acks[1]["subscriber"] == acks[0]["subscriber"]
    assert events[-1]["type"] == "end" and events[-1]["code"] == "end_of_stream"
    assert relay.accepted >= 2  # it came back through the relay


def feed_paced(server: Serve, lines: list[bytes], fps: float) -> None:
    for line in lines:
        server.feed([line])
        time.sleep(1 / fps)
