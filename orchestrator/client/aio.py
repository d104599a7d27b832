"""The asynchronous transport: httpx for the JSON endpoints and SSE, websockets for sessions.

async with AsyncClient("http://localhost:8080", token=...) as fg:
    async for event in fg.events(["motion"]):          # Server-Sent Events
        ...
    async with fg.connect(["motion"]) as ws:            # WebSocket
        await ws.change(["motion", "image.quality"])    # returns the ack (with the plan)
        async for event in ws: ...

What is said on the wire, and what replies mean, is `protocol`'s; this module only moves it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import httpx
from httpx_sse import aconnect_sse
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from orchestrator.client import protocol
from orchestrator.client.events import Event
from orchestrator.client.protocol import Features, Request, Requested, error_from

T = TypeVar("T")


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
        self.endpoint = protocol.Endpoint.of(url, token)
        self.url, self.token = self.endpoint.url, token
        self.idle_timeout = idle_timeout
        self.http = httpx.AsyncClient(
            base_url=self.url, headers=self.endpoint.headers, timeout=timeout
        )

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    # JSON endpoints -------------------------------------------------------------------
    async def features(self, show_all: bool = False) -> list[dict[str, Any]]:
        return await self._call(protocol.features(show_all))

    async def plan(self, features: Features = None) -> dict[str, Any]:
        return await self._call(protocol.plan(features))

    async def health(self) -> dict[str, Any]:
        return await self._call(protocol.health())

    async def ready(self) -> tuple[bool, dict[str, Any]]:
        return await self._call(protocol.ready())

    async def metrics(self) -> str:
        return await self._call(protocol.metrics())

    async def _call(self, call: protocol.Call[T]) -> T:
        response = await self.http.get(call.path, params=call.params)
        return call.read(response.status_code, response.content)

    # Streams ---------------------------------------------------------------------------
    async def events(
        self,
        features: Features = None,
        policy: str | None = None,
        queue: int | None = None,
        resume: dict[str, str] | None = None,
        *,
        rate: float | None = None,
        every: int | None = None,
    ) -> AsyncIterator[Event]:
        """Subscribe over SSE; yields every event up to and including `end`."""
        params = protocol.query(features, policy, queue, rate, every) | (resume or {})
        sub = protocol.Subscription(params)
        timeout = httpx.Timeout(self.http.timeout.connect, read=self.idle_timeout)
        async with aconnect_sse(
            self.http, "GET", sub.path, params=sub.params, timeout=timeout
        ) as source:
            if source.response.status_code != protocol.OK:
                raise error_from(source.response.status_code, await source.response.aread())
            async for sse in source.aiter_sse():
                event = sub.receive(sse.data, sse.event)
                if event is not None:
                    yield event
                if sub.ended:
                    return

    def connect(
        self,
        features: Features = None,
        policy: str | None = None,
        queue: int | None = None,
        resume: dict[str, str] | None = None,
        *,
        rate: float | None = None,
        every: int | None = None,
    ) -> AsyncSession:
        """A WebSocket session; with `features`, subscribed from the handshake on."""
        params = protocol.query(features, policy, queue, rate, every) | (resume or {})
        return AsyncSession(self, params)


class AsyncSession:
    """One WebSocket: requests return their acknowledgement (or raise `ServiceError`);
    iterating yields the events (and acknowledgements nobody waited for)."""

    def __init__(self, client: AsyncClient, params: dict[str, str]) -> None:
        self.client = client
        self.params = params
        self.protocol = protocol.Session()
        self.ws: ClientConnection | None = None
        self._events: asyncio.Queue[Event | None] = asyncio.Queue()
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> AsyncSession:
        endpoint = self.client.endpoint
        try:
            self.ws = await connect(
                endpoint.ws_url(self.params),
                additional_headers=endpoint.headers or None,
                max_size=None,
            )
        except InvalidStatus as exc:
            raise error_from(exc.response.status_code, exc.response.body or b"") from None
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
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
        return await self.send(self.protocol.subscribe(features, policy, queue, rate, every))

    async def change(
        self, features: Requested, *, rate: float | None = None, every: int | None = None
    ) -> dict[str, Any]:
        """Replace the features and the subscription's rate (every frame unless given)."""
        return await self.send(self.protocol.change(features, rate, every))

    async def unsubscribe(self) -> dict[str, Any]:
        return await self.send(self.protocol.unsubscribe())

    async def request(self, type_: str, **body: Any) -> dict[str, Any]:
        return await self.send(self.protocol.request(type_, **body))

    async def send(self, request: Request) -> dict[str, Any]:
        """Send `request`; its acknowledgement, when the reader has seen it."""
        assert self.ws is not None, "use `async with client.connect(...)`"
        future = self._pending[request.id] = asyncio.get_running_loop().create_future()
        await self.ws.send(request.text)
        try:
            reply = await future
        finally:
            self._pending.pop(request.id, None)
        return self.protocol.outcome(reply)

    async def _read(self) -> None:
        assert self.ws is not None
        try:
            async for raw in self.ws:
                event = self.protocol.receive(raw)
                rid = self.protocol.reply_to(event)
                future = self._pending.get(rid) if rid is not None else None
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
