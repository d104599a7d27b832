"""Following one subscription across connections: reconnect, resume, miss nothing.

    for event in follow(lambda cursor: client.events(names, resume=cursor.query("sse"))):
        ...

The cursor remembers the subscription id (from `subscribed`), the server's grace period,
and the last frame event received. When the connection breaks (a transport error, or a
stream that closes without `end`), the follower reconnects with that cursor, with a short
back-off, for as long as the server keeps the subscription (the grace period); the server
replays every frame event missed, exactly once, after one `gap` event if some were no
longer buffered. Refusals (`ServiceError`, e.g. the subscription is gone) are not retried.
Events are passed on as they come, the `subscribed` of each resumed connection included
(`resumed: true`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import httpx
from websockets.exceptions import WebSocketException

from orchestrator.client.events import Event, ServiceError

BACKOFF = (0.05, 0.1, 0.2, 0.5, 1.0)  # seconds before each further attempt (then 1 s)
# What a broken connection looks like from the SSE and WebSocket clients; gRPC's client
# turns its own into ConnectionError.
TRANSIENT: tuple[type[BaseException], ...] = (
    httpx.TransportError,
    WebSocketException,
    ConnectionError,
    OSError,
    TimeoutError,
)


class StreamLostError(ConnectionError):
    """The connection broke and the subscription could not be resumed in time."""


@dataclass
class Cursor:
    subscriber: int | None = None
    last_frame: int | None = None
    grace: float = 0.0

    def observe(self, event: Event) -> None:
        if event.type == "subscribed":
            self.subscriber = int(event.data["subscriber"])
            self.grace = float(event.data.get("grace", 0.0))
        elif event.type == "unsubscribed":
            self.subscriber = self.last_frame = None
        elif (frame := event.frame_id) is not None:
            self.last_frame = frame

    def query(self, transport: str) -> dict[str, str] | None:
        """Query parameters that resume over SSE ("sse") or a WebSocket ("ws"); None before
        the first subscription."""
        if self.subscriber is None:
            return None
        params = {"subscriber": str(self.subscriber)}
        if self.last_frame is not None:
            params["last_event_id" if transport == "sse" else "resume_from"] = str(self.last_frame)
        return params


class _Attempts:
    """When to try again: right away at first, then backing off, until the grace is over."""

    def __init__(self, cursor: Cursor) -> None:
        self.cursor = cursor
        self.lost_at: float | None = None
        self.tries = 0

    def connected(self) -> None:
        self.lost_at, self.tries = None, 0

    def delay(self, reason: BaseException | str) -> float:
        """Seconds to wait before the next attempt; `StreamLostError` once out of time."""
        now = time.monotonic()
        self.lost_at = self.lost_at or now
        if self.cursor.subscriber is None:
            raise StreamLostError(f"connection lost before subscribing: {reason}")
        if now - self.lost_at > self.cursor.grace:
            raise StreamLostError(
                f"could not resume subscription {self.cursor.subscriber} within its grace "
                f"period ({self.cursor.grace:g} s): {reason}"
            )
        wait = BACKOFF[min(self.tries, len(BACKOFF) - 1)]
        self.tries += 1
        return wait


def follow(
    open_stream: Callable[[Cursor], Iterator[Event]], cursor: Cursor | None = None
) -> Iterator[Event]:
    """Every event of one subscription, across reconnections (blocking)."""
    cursor = cursor or Cursor()
    attempts = _Attempts(cursor)
    while True:
        reason: BaseException | str = "the stream closed without an end event"
        try:
            for event in open_stream(cursor):
                attempts.connected()
                cursor.observe(event)
                yield event
                if event.type == "end":
                    return
        except ServiceError:
            raise
        except TRANSIENT as exc:
            reason = exc
        time.sleep(attempts.delay(reason))


async def afollow(
    open_stream: Callable[[Cursor], AsyncIterator[Event]], cursor: Cursor | None = None
) -> AsyncIterator[Event]:
    """Every event of one subscription, across reconnections (async)."""
    cursor = cursor or Cursor()
    attempts = _Attempts(cursor)
    while True:
        reason: BaseException | str = "the stream closed without an end event"
        try:
            async for event in open_stream(cursor):
                attempts.connected()
                cursor.observe(event)
                yield event
                if event.type == "end":
                    return
        except ServiceError:
            raise
        except TRANSIENT as exc:
            reason = exc
        await asyncio.sleep(attempts.delay(reason))
