"""What the client hands back: events as received, and the service's errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import orjson

ENDPOINTS = ("/events", "/ws")


@dataclass(frozen=True)
class Event:
    """One event: `type` (subscribed, changed, result, error, dropped, end, ...), the parsed
    object, and the JSON text exactly as the server sent it (for printing it on)."""

    type: str
    data: dict[str, Any] = field(repr=False)
    raw: str = field(repr=False)

    @classmethod
    def parse(cls, raw: str | bytes, type_: str | None = None) -> Event:
        data = orjson.loads(raw)
        if not isinstance(data, dict):
            data = {"value": data}
        text = raw if isinstance(raw, str) else raw.decode()
        return cls(type_ or str(data.get("type", "message")), data, text)

    @property
    def frame(self) -> int | None:
        return self.data.get("frame")

    @property
    def features(self) -> dict[str, Any]:
        return self.data.get("features", {})


class ServiceError(Exception):
    """The service refused a request: HTTP `status`, its `code` (e.g. unknown_feature) and
    the whole error `body` (which lists the valid features when one was unknown)."""

    def __init__(self, status: int, body: dict[str, Any] | None = None, message: str = "") -> None:
        self.status = status
        self.body = body or {}
        self.code = str(self.body.get("error", f"http_{status}"))
        super().__init__(message or self.body.get("message") or f"HTTP {status}")


def error_from(status: int, content: bytes | bytearray) -> ServiceError:
    try:
        body = orjson.loads(content)
    except orjson.JSONDecodeError:
        body = {"message": content.decode(errors="replace")[:500]}
    return ServiceError(status, body if isinstance(body, dict) else {"message": str(body)})


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
    features: str | Sequence[str] | None,
    policy: str | None,
    queue: int | None,
    rate: float | None = None,
    every: int | None = None,
) -> dict[str, str]:
    """Query parameters; features may carry parameters and rates (`motion(every=3)`),
    `rate`/`every` apply to the whole subscription."""
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
