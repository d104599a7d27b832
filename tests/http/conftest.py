"""A live server per test (real uvicorn on loopback, stdin a pipe) and small test frames."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import orjson
import pytest
from httpx_sse import aconnect_sse

from orchestrator.http import Settings
from orchestrator.http.testing import LiveServer, synthetic_lines
from orchestrator.stream.pipeline import PipelineConfig

Start = Callable[..., Awaitable[LiveServer]]


@pytest.fixture
def tiny() -> Callable[..., list[bytes]]:
    """`tiny(n)`: n small JPEG frames as stdin lines (fast to decode, so tests stay fast)."""
    return synthetic_lines


@pytest.fixture
async def start() -> AsyncIterator[Start]:
    """`await start(settings, ...)`: a running server, stopped after the test. Its pipeline
    is lossless by default, so that every fed line has its event (tests count them)."""
    servers: list[LiveServer] = []

    async def _start(
        settings: Settings | None = None,
        lossless: bool = True,
        sndbuf: int | None = None,
        linger: float = 0.0,
        **worker: Any,
    ) -> LiveServer:
        config = PipelineConfig(lossless=lossless)
        live = LiveServer(settings, config, sndbuf=sndbuf, linger=linger, **worker)
        servers.append(live)
        return await live.__aenter__()

    yield _start
    for live in servers:
        await live.__aexit__(None, None, None)


class SSE:
    """A real SSE client (httpx + httpx-sse) that collects a stream's events."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.headers = headers or {}

    def open(self, **params: Any) -> Stream:
        return Stream(self, params)


class Stream:
    """One subscription, read in a task: `await stream.subscribed()`, then `await stream`."""

    def __init__(self, sse: SSE, params: dict[str, Any]) -> None:
        self.events: list[tuple[str, dict[str, Any], float]] = []  # (type, data, wall time)
        self.ready = asyncio.Event()
        self.status: int | None = None
        self.task = asyncio.create_task(self._read(sse, params))

    async def _read(self, sse: SSE, params: dict[str, Any]) -> None:
        async with (
            httpx.AsyncClient(timeout=httpx.Timeout(10, read=30)) as client,
            aconnect_sse(
                client, "GET", f"{sse.url}/events", params=params, headers=dict(sse.headers)
            ) as source,
        ):
            self.status = source.response.status_code
            if self.status != 200:
                self.events.append(("http", orjson.loads(await source.response.aread()), 0.0))
                self.ready.set()
                return
            async for e in source.aiter_sse():
                if not e.data:  # heartbeat after an event with an id (httpx-sse quirk)
                    continue
                self.events.append((e.event, orjson.loads(e.data), time.time()))
                if e.event == "subscribed":
                    self.ready.set()
                if e.event == "end":
                    return

    async def subscribed(self, timeout: float = 5) -> None:
        await asyncio.wait_for(self.ready.wait(), timeout)

    def results(self) -> list[dict[str, Any]]:
        return [d for kind, d, _ in self.events if kind == "result"]

    def kinds(self) -> list[str]:
        return [kind for kind, _, _ in self.events]

    def __await__(self):  # type: ignore[no-untyped-def]
        return asyncio.wait_for(self.task, 15).__await__()


@pytest.fixture
def sse() -> Callable[..., SSE]:
    return SSE


async def eventually(check: Callable[[], bool], timeout: float = 3.0) -> float:
    """Poll until `check()`; the seconds it took (fails the test after `timeout`)."""
    start = time.perf_counter()
    while not check():
        if time.perf_counter() - start > timeout:
            raise AssertionError(f"not true after {timeout} s")
        await asyncio.sleep(0.005)
    return time.perf_counter() - start


@pytest.fixture
def until() -> Callable[..., Awaitable[float]]:
    return eventually
