"""The blocking client, for scripts and `framegraph watch`: same surface as `AsyncClient`.

with Client("http://localhost:8080") as fg:
    for event in fg.events("motion,image.quality"):
        print(event.frame, event.features)
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
from httpx_sse import connect_sse
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from orchestrator.client.aio import Features, Requested
from orchestrator.client.events import Event, ServiceError, base_url, error_from, query, ws_url


class Client:
    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        timeout: float = 10.0,
        idle_timeout: float | None = 60.0,
    ) -> None:
        self.url = base_url(url)
        self.token = token
        self.idle_timeout = idle_timeout
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def features(self, show_all: bool = False) -> list[dict[str, Any]]:
        return self._get("/features", {"all": "1"} if show_all else {})["features"]

    def plan(self, features: Features = None) -> dict[str, Any]:
        return self._get("/plan", query(features, None, None))

    def subscriptions(self) -> dict[str, Any]:
        """`GET /subscriptions`: each subscription's features, rate, cost share and events."""
        return self._get("/subscriptions")

    def health(self) -> dict[str, Any]:
        return self._get("/healthz")

    def ready(self) -> tuple[bool, dict[str, Any]]:
        response = self.http.get("/readyz")
        return response.status_code == 200, response.json()

    def metrics(self) -> str:
        response = self.http.get("/metrics")
        if response.status_code != 200:
            raise error_from(response.status_code, response.content)
        return response.text

    def _get(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        response = self.http.get(path, params=params)
        if response.status_code != 200:
            raise error_from(response.status_code, response.content)
        return response.json()

    def events(
        self,
        features: Features = None,
        policy: str | None = None,
        queue: int | None = None,
        *,
        rate: float | None = None,
        every: int | None = None,
    ) -> Iterator[Event]:
        """Subscribe over SSE; yields every event up to and including `end`."""
        timeout = httpx.Timeout(self.http.timeout.connect, read=self.idle_timeout)
        with connect_sse(
            self.http,
            "GET",
            "/events",
            params=query(features, policy, queue, rate, every),
            timeout=timeout,
        ) as source:
            if source.response.status_code != 200:
                raise error_from(source.response.status_code, source.response.read())
            for sse in source.iter_sse():
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
    ) -> Session:
        """A WebSocket session; with `features`, subscribed from the handshake on."""
        params = query(features, policy, queue, rate, every)
        url = ws_url(self.url, params)
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else None
        try:
            ws = connect(url, additional_headers=headers, max_size=None)
        except InvalidStatus as exc:
            raise error_from(exc.response.status_code, exc.response.body or b"") from None
        # Entered here; `Session` closes it (newer websockets warn on a bare connection).
        return Session(ws.__enter__())


class Session:
    """A blocking WebSocket session: a request reads on until its acknowledgement, keeping
    the events that arrive meanwhile for the iterator."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._ids = itertools.count(1)
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
        body: dict[str, Any] = {"features": features}
        if policy:
            body["policy"] = policy
        if queue:
            body["queue"] = queue
        if rate:
            body["rate"] = rate
        if every:
            body["every"] = every
        return self.request("subscribe", **body)

    def change(
        self, features: Requested, *, rate: float | None = None, every: int | None = None
    ) -> dict[str, Any]:
        """Replace the features and the subscription's rate (every frame unless given)."""
        extra = {k: v for k, v in (("rate", rate), ("every", every)) if v}
        return self.request("change", features=features, **extra)

    def unsubscribe(self) -> dict[str, Any]:
        return self.request("unsubscribe")

    def request(self, type_: str, **body: Any) -> dict[str, Any]:
        rid = next(self._ids)
        self.ws.send(orjson.dumps({"type": type_, "id": rid, **body}).decode())
        while True:
            event = self._receive()
            if event is None:
                raise ConnectionError("the WebSocket closed before the acknowledgement")
            if event.data.get("id") == rid:
                if event.type == "rejected":
                    raise ServiceError(int(event.data.get("status", 400)), event.data)
                return event.data
            self._buffer.append(event)

    def _receive(self, timeout: float | None = None) -> Event | None:
        try:
            return Event.parse(self.ws.recv(timeout))
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
