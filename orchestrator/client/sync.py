"""The blocking transport, for scripts and `framegraph watch`: same surface as `AsyncClient`.

with Client("http://localhost:8080") as fg:
    for event in fg.events("motion,image.quality"):
        print(event.frame, event.features)

What is said on the wire, and what replies mean, is `protocol`'s; this module only moves it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any, TypeVar

import httpx
from httpx_sse import connect_sse
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from orchestrator.client import protocol
from orchestrator.client.events import Event
from orchestrator.client.protocol import Features, Request, Requested, error_from

T = TypeVar("T")


class Client:
    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        timeout: float = 10.0,
        idle_timeout: float | None = 60.0,
    ) -> None:
        self.endpoint = protocol.Endpoint.of(url, token)
        self.url, self.token = self.endpoint.url, token
        self.idle_timeout = idle_timeout
        self.http = httpx.Client(base_url=self.url, headers=self.endpoint.headers, timeout=timeout)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def features(self, show_all: bool = False) -> list[dict[str, Any]]:
        return self._call(protocol.features(show_all))

    def plan(self, features: Features = None) -> dict[str, Any]:
        return self._call(protocol.plan(features))

    def health(self) -> dict[str, Any]:
        return self._call(protocol.health())

    def ready(self) -> tuple[bool, dict[str, Any]]:
        return self._call(protocol.ready())

    def metrics(self) -> str:
        return self._call(protocol.metrics())

    def _call(self, call: protocol.Call[T]) -> T:
        response = self.http.get(call.path, params=call.params)
        return call.read(response.status_code, response.content)

    def events(
        self,
        features: Features = None,
        policy: str | None = None,
        queue: int | None = None,
        resume: dict[str, str] | None = None,
        *,
        rate: float | None = None,
        every: int | None = None,
    ) -> Iterator[Event]:
        """Subscribe over SSE; yields every event up to and including `end`."""
        params = protocol.query(features, policy, queue, rate, every) | (resume or {})
        sub = protocol.Subscription(params)
        timeout = httpx.Timeout(self.http.timeout.connect, read=self.idle_timeout)
        with connect_sse(self.http, "GET", sub.path, params=sub.params, timeout=timeout) as source:
            if source.response.status_code != protocol.OK:
                raise error_from(source.response.status_code, source.response.read())
            for sse in source.iter_sse():
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
    ) -> Session:
        """A WebSocket session; with `features`, subscribed from the handshake on."""
        params = protocol.query(features, policy, queue, rate, every) | (resume or {})
        url = self.endpoint.ws_url(params)
        try:
            ws = connect(url, additional_headers=self.endpoint.headers or None, max_size=None)
        except InvalidStatus as exc:
            raise error_from(exc.response.status_code, exc.response.body or b"") from None
        # Entered here; `Session` closes it (newer websockets warn on a bare connection).
        return Session(ws.__enter__())


class Session:
    """A blocking WebSocket session: a request reads on until its acknowledgement, keeping
    the events that arrive meanwhile for the iterator."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.protocol = protocol.Session()
        self._buffer: deque[Event] = deque()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.ws.close()

    def subscribe(
        self,
        features: Requested,
        policy: str | None = None,
        queue: int | None = None,
        *,
        rate: float | None = None,
        every: int | None = None,
    ) -> dict[str, Any]:
        """Subscribe; `features` may hold structured objects ({"name", "params", ...})."""
        return self.send(self.protocol.subscribe(features, policy, queue, rate, every))

    def change(
        self, features: Requested, *, rate: float | None = None, every: int | None = None
    ) -> dict[str, Any]:
        """Replace the features and the subscription's rate (every frame unless given)."""
        return self.send(self.protocol.change(features, rate, every))

    def unsubscribe(self) -> dict[str, Any]:
        return self.send(self.protocol.unsubscribe())

    def request(self, type_: str, **body: Any) -> dict[str, Any]:
        return self.send(self.protocol.request(type_, **body))

    def send(self, request: Request) -> dict[str, Any]:
        """Send `request` and read on to its acknowledgement."""
        self.ws.send(request.text)
        while True:
            event = self._receive()
            if event is None:
                raise ConnectionError("the WebSocket closed before the acknowledgement")
            if self.protocol.reply_to(event) == request.id:
                return self.protocol.outcome(event.data)
            self._buffer.append(event)

    def _receive(self, timeout: float | None = None) -> Event | None:
        try:
            return self.protocol.receive(self.ws.recv(timeout))
        except ConnectionClosed:
            return None

    def __iter__(self) -> Iterator[Event]:
        while True:
            event = self._buffer.popleft() if self._buffer else self._receive()
            if event is None:
                return
            yield event
            if event.type == "end":
                return
