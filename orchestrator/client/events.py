"""What the client hands back: events as received, and the service's errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson


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
    def frame_id(self) -> int | None:
        """The frame number of a frame event (result, error, dropped frame): the id to resume
        after. None for every other event (a `dropped` for a client that fell behind, `gap`,
        acknowledgements, `end`), even those that mention frames."""
        if self.type in ("result", "error") or (
            self.type == "dropped" and self.data.get("reason") != "client_behind"
        ):
            return self.frame
        return None

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
