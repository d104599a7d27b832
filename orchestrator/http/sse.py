"""GET /events: one subscription as a Server-Sent Events stream.

    GET /events?features=motion,persons(min_score=0.3)&every=3&policy=latest&queue=64

Events, each `event: <type>` with one JSON object as `data` (frame events carry the frame
number as `id`): `subscribed` first (the subscription and the live plan), then per frame
`result`, `error` or `dropped`, and `end` last (why the stream ended). Framing and the
heartbeat comments that keep proxies from closing idle streams are sse-starlette's.

The subscription lives exactly as long as the response: a client that disconnects is
released at once (the plan shrinks from the next frame), and one whose socket accepts
nothing for `send_timeout` seconds is cut off.
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

from orchestrator.delivery.subscriber import Subscriber
from orchestrator.http.params import subscription
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


async def _events(service: Service, sub: Subscriber) -> AsyncIterator[ServerSentEvent]:
    yield ServerSentEvent(orjson.dumps(service.ack("subscribed", sub)).decode(), event="subscribed")
    while (msg := await sub.get()) is not None:
        yield ServerSentEvent(msg.data.decode(), event=msg.kind, id=str(msg.seq))
    yield ServerSentEvent(sub.end_event().decode(), event="end")


def events_endpoint(service: Service) -> Route:
    settings = service.settings

    async def events(request: Request) -> EventStream:
        q = request.query_params
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
            sub = service.subscribe(req)
        except Exception:
            release_slot()
            raise

        def close() -> None:
            service.release(sub)
            release_slot()

        return EventStream(
            _events(service, sub),
            close,
            ping=settings.heartbeat,
            send_timeout=settings.send_timeout,
        )

    return Route("/events", events, methods=["GET"])
