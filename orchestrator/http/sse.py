"""GET /events: one subscription as a Server-Sent Events stream.

    GET /events?features=motion,persons(min_score=0.3)&every=3&policy=latest&queue=64

Events, each `event: <type>` with one JSON object as `data` (frame events carry the frame
number as `id`): `subscribed` first (the subscription and the live plan), then per frame
`result`, `error` or `dropped`, and `end` last (why the stream ended). Framing and the
heartbeat comments that keep proxies from closing idle streams are sse-starlette's.

Only frame events carry an `id` (their frame number): never `subscribed`, heartbeats,
`dropped` for a client that fell behind, `gap` or `end`, so `Last-Event-ID` always names
the last frame received. A client whose connection is lost (or cut off after accepting
nothing for `send_timeout` seconds) keeps its subscription for the grace period:

    GET /events?subscriber=7          with  Last-Event-ID: 120   (or &last_event_id=120)

replays what it missed after frame 120, exactly once, then goes on live
(`orchestrator.delivery.resume`). The `features`, `policy` and `queue` of a resumed
subscription are its own; parameters given with `subscriber` are not used.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
from sse_starlette import EventSourceResponse, ServerSentEvent
from sse_starlette.sse import SendTimeoutError
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from orchestrator.delivery.resume import Lease
from orchestrator.http.params import resume_point, subscription
from orchestrator.http.service import Service

log = logging.getLogger(__name__)


class EventStream(EventSourceResponse):
    """An SSE response that always runs `on_close`, however the stream ends."""

    def __init__(
        self, events: AsyncIterator[ServerSentEvent], on_close: Callable[[], None], **kwargs: Any
    ) -> None:
        super().__init__(events, **kwargs)
        self.on_close = on_close

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except SendTimeoutError:
            log.warning("cut off an SSE client that accepted nothing for %s s", self.send_timeout)
        except OSError:  # the peer vanished mid-write
            pass
        finally:
            self.on_close()


class _Feed:
    """One response's subscription, and whether it got as far as the `end` event."""

    def __init__(self, service: Service, lease: Lease) -> None:
        self.service = service
        self.lease = lease
        self.finished = False

    async def events(self) -> AsyncIterator[ServerSentEvent]:
        ack = self.service.ack_lease(self.lease)
        yield ServerSentEvent(orjson.dumps(ack).decode(), event="subscribed")
        while (msg := await self.lease.get()) is not None:
            frame_id = str(msg.seq) if msg.frame_event else None
            yield ServerSentEvent(msg.data.decode(), event=msg.kind, id=frame_id)
        yield ServerSentEvent(self.lease.end_event().decode(), event="end")
        self.finished = True

    def close(self) -> None:
        self.service.leave(self.lease, finished=self.finished)


def events_endpoint(service: Service) -> Route:
    settings = service.settings

    async def events(request: Request) -> EventStream:
        q = request.query_params
        last = request.headers.get("last-event-id", q.get("last_event_id"))
        resume = resume_point(q.get("subscriber"), last)
        if resume is None:
            req = subscription(
                service.planner,
                settings,
                [v for v in q.getlist("features") if v.strip()],
                q.get("policy"),
                q.get("queue"),
                q.get("rate"),
                q.get("every"),
            )
        release_slot = service.connect()
        try:
            lease = service.resume(*resume) if resume else service.open(req)
        except Exception:
            release_slot()
            raise
        feed = _Feed(service, lease)

        def close() -> None:
            feed.close()
            release_slot()

        return EventStream(
            feed.events(),
            close,
            ping=settings.heartbeat,
            send_timeout=settings.send_timeout,
        )

    return Route("/events", events, methods=["GET"])
