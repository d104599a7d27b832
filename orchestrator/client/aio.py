"""The asynchronous client: the JSON endpoints, SSE event streams, and WebSocket sessions.

async with AsyncClient("http://localhost:8080", token=...) as fg:
    async for event in fg.events(["motion"]):          # Server-Sent Events
        ...
    async with fg.connect(["motion"]) as ws:            # WebSocket
        await ws.change(["motion", "image.quality"])    # returns the ack (with the plan)
        async for event in ws: ...
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Mapping, Sequence
from types import TracebackType
from typing import Any

import httpx
import orjson
from httpx_sse import aconnect_sse
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from orchestrator.client.events import Event, ServiceError, base_url, error_from, query, ws_url

Features = str | Sequence[str] | None
# WebSocket requests may also name features as structured objects {"name", "params", ...}
Requested = str | Sequence[str | Mapping[str, Any]] | None


class AsyncClient:
    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        timeout: float = 10.0,
        idle_timeout: float | None = 60.0,
    ) -> None:
        """`idle_timeout`: give up on an event stream silent for this long (the server sends
        a heartbeat every 15 s by default), None to wait for ever."""
        self.url = base_url(url)
        self.token = token
        self.idle_timeout = idle_timeout
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.AsyncClient(base_url=self.url, headers=headers, timeout=timeout)

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    # JSON endpoints -------------------------------------------------------------------
    async def features(self, show_all: bool = False) -> list[dict[str, Any]]:
        return (await self._get("/features", {"all": "1"} if show_all else {}))["features"]

    async def plan(self, features: Features = None) -> dict[str, Any]:
        return await self._get("/plan", query(features, None, None))

    async def subscriptions(self) -> dict[str, Any]:
        """`GET /subscriptions`: each subscription's features, rate, cost share and events."""
        return await self._get("/subscriptions")

    async def health(self) -> dict[str, Any]:
        return await self._get("/healthz")

    async def ready(self) -> tuple[bool, dict[str, Any]]:
        response = await self.http.get("/readyz")
        return response.status_code == 200, response.json()

    async def metrics(self) -> str:
        response = await self.http.get("/metrics")
        if response.status_code != 200:
            raise error_from(response.status_code, response.content)
        return response.text

    async def _get(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        response = await self.http.get(path, params=params)
        if response.status_code != 200:
            raise error_from(response.status_code, response.content)
        return response.json()

    # Streams ---------------------------------------------------------------------------
    async def events(
        self,
        features: Features = None,
        policy: str | None = None,
        queue: int | None = None,
        *,
        rate: float | None = None,
        every: int | None = None,
    ) -> AsyncIterator[Event]:
        """Subscribe over SSE; yields every event up to and including `end`."""
        timeout = httpx.Timeout(self.http.timeout.connect, read=self.idle_timeout)
        async with aconnect_sse(
            self.http,
            "GET",
            "/events",
            params=query(features, policy, queue, rate, every),
            timeout=timeout,
        ) as source:
            if source.response.status_code != 200:
                raise error_from(source.response.status_code, await source.response.aread())
            async for sse in source.aiter_sse():
                if not sse.data:  # a heartbeat: httpx-sse reports it as an empty event
                    continue
                event = Event.parse(sse.data, sse.event or None)
                yield event
                if event.type == "end":
                    return

    def connect(
        self,
        features: Features = None,
        policy: str | None = None,
        queue: int | None = None,
        *,
        rate: float | None = None,
        every: int | None = None,
    ) -> AsyncSession:
        """A WebSocket session; with `features`, subscribed from the handshake on."""
        return AsyncSession(self, query(features, policy, queue, rate, every))


class AsyncSession:
    """One WebSocket: requests return their acknowledgement (or raise `ServiceError`);
    iterating yields the events (and acknowledgements nobody waited for)."""

    def __init__(self, client: AsyncClient, params: dict[str, str]) -> None:
        self.client = client
        self.params = params
        self.ws: ClientConnection | None = None
        self._events: asyncio.Queue[Event | None] = asyncio.Queue()
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> AsyncSession:
        url = ws_url(self.client.url, self.params)
        headers = {"Authorization": f"Bearer {self.client.token}"} if self.client.token else None
        try:
            self.ws = await connect(url, additional_headers=headers, max_size=None)
        except InvalidStatus as exc:
            raise error_from(exc.response.status_code, exc.response.body or b"") from None
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object | TracebackType) -> None:
        await self.close()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def subscribe(
        self,
        features: Requested,
        policy: str | None = None,
        queue: int | None = None,
        *,
        rate: float | None = None,
        every: int | None = None,
    ) -> dict[str, Any]:
        """Subscribe; `features` may hold structured objects ({"name", "params", ...})."""
        body: dict[str, Any] = {"features": features}
        if policy:
            body["policy"] = policy
        if queue:
            body["queue"] = queue
        if rate:
            body["rate"] = rate
        if every:
            body["every"] = every
        return await self.request("subscribe", **body)

    async def change(
        self, features: Requested, *, rate: float | None = None, every: int | None = None
    ) -> dict[str, Any]:
        """Replace the features and the subscription's rate (every frame unless given)."""
        extra = {k: v for k, v in (("rate", rate), ("every", every)) if v}
        return await self.request("change", features=features, **extra)

    async def unsubscribe(self) -> dict[str, Any]:
        return await self.request("unsubscribe")

    async def request(self, type_: str, **body: Any) -> dict[str, Any]:
        assert self.ws is not None, "use `async with client.connect(...)`"
        rid = next(self._ids)
        future = self._pending[rid] = asyncio.get_running_loop().create_future()
        await self.ws.send(orjson.dumps({"type": type_, "id": rid, **body}).decode())
        try:
            reply = await future
        finally:
            self._pending.pop(rid, None)
        if reply.get("type") == "rejected":
            raise ServiceError(int(reply.get("status", 400)), reply)
        return reply

    async def _read(self) -> None:
        assert self.ws is not None
        try:
            async for raw in self.ws:
                event = Event.parse(raw)
                future = self._pending.get(event.data.get("id"))  # type: ignore[arg-type]
                if future is not None and not future.done():
                    future.set_result(event.data)
                else:
                    await self._events.put(event)
        except ConnectionClosed:
            pass
        finally:
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(ConnectionError("the WebSocket closed"))
            await self._events.put(None)

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event]:
        while (event := await self._events.get()) is not None:
            yield event
            if event.type == "end":
                return
