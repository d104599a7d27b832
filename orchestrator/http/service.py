"""The service behind the HTTP API: one stream worker shared by every client.

Endpoints never touch the hub directly: they subscribe, change and release through
here, so that limits, the acknowledgements clients see and the stream's end are handled
the same way for Server-Sent Events and WebSockets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from orchestrator.delivery.hub import StreamEndedError, SubscriberLimitError
from orchestrator.delivery.subscriber import DISCONNECTED, Subscriber
from orchestrator.graph.plan import Plan
from orchestrator.http.errors import ApiError
from orchestrator.http.params import Subscription
from orchestrator.http.readiness import Readiness
from orchestrator.http.settings import Settings
from orchestrator.stream.worker import Worker


class Service:
    def __init__(
        self,
        worker: Worker,
        settings: Settings | None = None,
        resources: Mapping[str, Any] | None = None,
    ) -> None:
        self.worker = worker
        self.settings = settings or Settings()
        self.resources = resources if resources is not None else worker.resources
        self.planner = worker.planner
        self.hub = worker.hub
        self.hub.max_subscribers = self.settings.max_subscribers
        self.connections = 0
        self.closing = asyncio.Event()  # set when the server stops: idle sockets say goodbye
        self.ready = Readiness(
            lambda: worker.pipeline.stdin_open,
            lambda: self.plan_now().models,
            self.resources.get("triton"),
            timeout=self.settings.ready_timeout,
            refresh=self.settings.ready_refresh,
        )
        worker.telemetry.ready.set_function(lambda: 1.0 if self.ready.now() else 0.0)

    # Subscriptions -------------------------------------------------------------------
    def subscribe(self, req: Subscription) -> Subscriber:
        try:
            return self.hub.subscribe(req.features, req.policy, req.queue)
        except SubscriberLimitError:
            limit = self.settings.max_subscribers
            raise self._busy("subscriber_limit", "subscribers", limit) from None
        except StreamEndedError as exc:
            raise ApiError(410, "stream_ended", str(exc)) from None

    def change(self, sub: Subscriber, features: Iterable[str]) -> None:
        self.hub.change(sub, features)

    def release(
        self, sub: Subscriber, reason: str = "client disconnected", code: str = DISCONNECTED
    ) -> None:
        """Give a subscription back at once, so the plan shrinks from the next frame."""
        self.hub.unsubscribe(sub, reason, code)

    def plan_now(self) -> Plan:
        """The plan the next frame will run: the union of current subscriptions."""
        return self.planner.plan(self.hub.requested())

    def ack(self, kind: str, sub: Subscriber, from_frame: int | None = None) -> dict[str, Any]:
        """What a client is told when its subscription starts or changes."""
        return {
            "type": kind,
            "subscriber": sub.id,
            "features": sorted(sub.features),
            "policy": sub.policy,
            "queue": sub.maxsize,
            "from_frame": sub.first_seq if from_frame is None else from_frame,
            "plan": self.plan_now().to_json(),
        }

    def connect(self) -> Callable[[], None]:
        """Take one of the `max_connections` slots for an event stream or a socket; the
        returned function gives it back (once, however often it is called)."""
        if self.connections >= self.settings.max_connections:
            raise self._busy("connection_limit", "connections", self.settings.max_connections)
        self.connections += 1
        held = True

        def release() -> None:
            nonlocal held
            if held:
                held = False
                self.connections -= 1

        return release

    # Readiness -------------------------------------------------------------------------
    async def readiness(self) -> tuple[bool, dict[str, Any]]:
        """stdin open and, when the current plan uses Triton models, those models ready."""
        return await self.ready.check()

    @staticmethod
    def _busy(code: str, what: str, limit: int) -> ApiError:
        err = ApiError(503, code, f"too many {what} (limit {limit}); try again later", limit=limit)
        err.headers["Retry-After"] = "5"
        return err
