"""The client's side of the service's protocol, without I/O: what to send, how to read replies.

The transports (`aio`: httpx and websockets' asyncio client; `sync`: their blocking twins)
own connections and sockets and nothing else. Everything about the service itself is here,
once: URLs and the bearer header, the JSON endpoints and their errors, the event streams
(SSE and WebSocket) as `Event`s, the subscribe / change / unsubscribe messages and the
matching of acknowledgements to requests. A new transport (gRPC) drives the same objects;
behaviour that spans connections (resuming after a reconnect) belongs in `Subscription`
and `Session`, which see every event and every request of a stream.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode, urlsplit, urlunsplit

import orjson

from orchestrator.client.events import Event, ServiceError

T = TypeVar("T")
Features = str | Sequence[str] | None
# WebSocket requests may also name features as structured objects {"name", "params", ...}
Requested = str | Sequence[str | Mapping[str, Any]] | None
ENDPOINTS = ("/events", "/ws")
OK = 200


# Where, and who -------------------------------------------------------------------------
def base_url(url: str) -> str:
    """The service's root URL from whatever the user pasted (`host:port`, `.../events`)."""
    if "://" not in url:
        url = f"http://{url}"
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    for endpoint in ENDPOINTS:
        if path.endswith(endpoint):
            path = path[: -len(endpoint)]
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, parts.netloc, path, "", ""))


def ws_url(base: str, params: dict[str, str] | None = None) -> str:
    scheme, rest = base.split("://", 1)
    tail = f"?{urlencode(params)}" if params else ""
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest}/ws{tail}"


def query(
    features: Features,
    policy: str | None = None,
    queue: int | None = None,
    rate: float | None = None,
    every: int | None = None,
) -> dict[str, str]:
    """A subscription as query parameters (SSE, and the WebSocket handshake). Features may
    carry parameters and rates (`persons(min_score=0.3)`, `motion(every=3)`); `rate`/`every`
    apply to the whole subscription."""
    params: dict[str, str] = {}
    if features:
        params["features"] = features if isinstance(features, str) else ",".join(features)
    if policy:
        params["policy"] = policy
    if queue:
        params["queue"] = str(queue)
    if rate:
        params["rate"] = str(rate)
    if every:
        params["every"] = str(every)
    return params


@dataclass(frozen=True)
class Endpoint:
    """A service and the credentials to use it."""

    url: str  # the root, as `base_url` makes it
    token: str | None = None

    @classmethod
    def of(cls, url: str, token: str | None = None) -> Endpoint:
        return cls(base_url(url), token)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def ws_url(self, params: dict[str, str] | None = None) -> str:
        return ws_url(self.url, params)


# Errors ---------------------------------------------------------------------------------
def error_from(status: int, content: bytes | bytearray) -> ServiceError:
    """The service's refusal, from its status and body (JSON, or whatever a proxy sent)."""
    try:
        body = orjson.loads(content)
    except orjson.JSONDecodeError:
        body = {"message": content.decode(errors="replace")[:500]}
    return ServiceError(status, body if isinstance(body, dict) else {"message": str(body)})


def _json(status: int, content: bytes) -> Any:
    if status != OK:
        raise error_from(status, content)
    return orjson.loads(content)


# JSON endpoints -------------------------------------------------------------------------
@dataclass(frozen=True)
class Call(Generic[T]):
    """One GET on the service and how to read its answer (`read` raises `ServiceError`)."""

    path: str
    read: Callable[[int, bytes], T]
    params: dict[str, str] = field(default_factory=dict)


def features(show_all: bool = False) -> Call[list[dict[str, Any]]]:
    return Call("/features", lambda s, c: _json(s, c)["features"], {"all": "1"} if show_all else {})


def plan(names: Features = None) -> Call[dict[str, Any]]:
    return Call("/plan", _json, query(names))


def health() -> Call[dict[str, Any]]:
    return Call("/healthz", _json)


def ready() -> Call[tuple[bool, dict[str, Any]]]:
    """Readiness is an answer either way: (ready?, the service's reasons)."""
    return Call("/readyz", lambda s, c: (s == OK, orjson.loads(c)))


def metrics() -> Call[str]:
    def read(status: int, content: bytes) -> str:
        if status != OK:
            raise error_from(status, content)
        return content.decode()

    return Call("/metrics", read)


# Event streams --------------------------------------------------------------------------
@dataclass
class Subscription:
    """One Server-Sent Events stream, from its request to its `end` event."""

    params: dict[str, str]
    path: str = "/events"
    ended: bool = False

    def receive(self, data: str, event: str | None = None) -> Event | None:
        """The event in an SSE message; None for a heartbeat (an empty message)."""
        if not data:
            return None
        parsed = Event.parse(data, event or None)
        self.ended = parsed.type == "end"
        return parsed


@dataclass(frozen=True)
class Request:
    """A WebSocket request: its id (the acknowledgement carries it back) and its text."""

    id: int
    text: str


class Session:
    """One WebSocket session's messages: requests numbered, replies told from events."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)

    def request(self, type_: str, **body: Any) -> Request:
        rid = next(self._ids)
        return Request(rid, orjson.dumps({"type": type_, "id": rid, **body}).decode())

    def subscribe(
        self,
        features: Requested,
        policy: str | None = None,
        queue: int | None = None,
        rate: float | None = None,
        every: int | None = None,
    ) -> Request:
        """Subscribe; `features` may hold structured objects ({"name", "params", ...})."""
        body: dict[str, Any] = {"features": features}
        for key, value in (("policy", policy), ("queue", queue), ("rate", rate), ("every", every)):
            if value:
                body[key] = value
        return self.request("subscribe", **body)

    def change(
        self, features: Requested, rate: float | None = None, every: int | None = None
    ) -> Request:
        """Replace the features and the subscription's rate (every frame unless given)."""
        extra = {k: v for k, v in (("rate", rate), ("every", every)) if v}
        return self.request("change", features=features, **extra)

    def unsubscribe(self) -> Request:
        return self.request("unsubscribe")

    def receive(self, raw: str | bytes) -> Event:
        return Event.parse(raw)

    @staticmethod
    def reply_to(event: Event) -> int | None:
        """The id of the request this message acknowledges, if it is an acknowledgement."""
        rid = event.data.get("id")
        return rid if isinstance(rid, int) else None

    @staticmethod
    def outcome(reply: dict[str, Any]) -> dict[str, Any]:
        """An acknowledgement's body, or the `ServiceError` of a refused request."""
        if reply.get("type") == "rejected":
            raise ServiceError(int(reply.get("status", 400)), reply)
        return reply
