"""The service behind the HTTP API: one stream worker shared by every client.

Endpoints never touch the hub directly: they subscribe, change and release through
here, so that limits, the acknowledgements clients see and the stream's end are handled
the same way for Server-Sent Events and WebSockets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

from orchestrator.delivery.hub import StreamEndedError, SubscriberLimitError
from orchestrator.delivery.replay import ReplayBuffer
from orchestrator.delivery.resume import BadResumeError, Lease, Resumer, UnknownSubscriptionError
from orchestrator.delivery.subscriber import DISCONNECTED, Subscriber
from orchestrator.engine.oneshot import Analyzer
from orchestrator.graph import Rate, Want
from orchestrator.graph.plan import Plan
from orchestrator.graph.request import explain
from orchestrator.http.errors import ApiError
from orchestrator.http.params import Subscription
from orchestrator.http.readiness import Readiness
from orchestrator.http.settings import Settings
from orchestrator.stream.worker import Worker


class Service:
    def __init__(self, worker: Worker, settings: Settings | None = None) -> None:
        self.worker = worker
        self.settings = settings or Settings()
        self.planner = worker.planner
        self.hub = worker.hub
        self.hub.max_subscribers = self.settings.max_subscribers
        if self.hub.replay is None:
            self.hub.replay = ReplayBuffer(self.settings.resume_frames, self.settings.resume_bytes)
        self.resumer = Resumer(self.hub, self.settings.grace)
        # A one-shot call waits for a starting Triton (a stream's frames must not: they fail
        # fast with "Triton is starting" and the stream goes on).
        resources = dict(worker.executor.resources)
        patient = getattr(worker.triton, "infer_when_ready", None)
        if patient is not None:
            resources["infer"] = patient
        self.analyzer = Analyzer(
            worker.planner,
            resources,
            worker.telemetry,
            limit=self.settings.max_analyses,
            max_pixels=worker.config.max_pixels,
            max_bytes=self.settings.max_image_bytes,
        )
        if self.settings.no_stream:
            self.hub.close("this service has no stream (--no-stream): it analyses single images")
        self.connections = 0
        self.closing = asyncio.Event()  # set when the server stops: idle sockets say goodbye
        self.ready = Readiness(
            lambda: self.settings.no_stream or worker.pipeline.stdin_open,
            lambda: self.plan_now().model_names,
            worker.triton,
            timeout=self.settings.ready_timeout,
            refresh=self.settings.ready_refresh,
        )
        worker.telemetry.ready.set_function(lambda: 1.0 if self.ready.now() else 0.0)

    # Subscriptions -------------------------------------------------------------------
    def subscribe(self, req: Subscription) -> Subscriber:
        try:
            return self.hub.subscribe(req.wants, req.policy, req.queue, rate=req.rate)
        except SubscriberLimitError:
            limit = self.settings.max_subscribers
            raise self._busy("subscriber_limit", "subscribers", limit) from None
        except StreamEndedError as exc:
            raise ApiError(410, "stream_ended", str(exc)) from None

    def open(self, req: Subscription) -> Lease:
        """Subscribe, held by the calling connection (see `leave`)."""
        return self.resumer.hold(self.subscribe(req))

    def resume(self, sub_id: int, after: int | None) -> Lease:
        """Take back subscription `sub_id`, whose client received frames up to `after`."""
        try:
            return self.resumer.resume(sub_id, after)
        except UnknownSubscriptionError as exc:
            raise ApiError(404, "unknown_subscription", str(exc)) from None
        except BadResumeError as exc:
            raise ApiError(400, "bad_resume", str(exc)) from None

    def leave(self, lease: Lease, *, finished: bool = False, unsubscribed: bool = False) -> None:
        """A connection lets its subscription go: released if it ended or the client
        unsubscribed, else kept for the grace period so that the client can resume."""
        self.resumer.leave(lease, finished=finished, unsubscribed=unsubscribed)

    def change(self, sub: Subscriber, wants: Iterable[Want], rate: Rate | None = None) -> None:
        self.hub.change(sub, wants, rate)

    def release(
        self, sub: Subscriber, reason: str = "client disconnected", code: str = DISCONNECTED
    ) -> None:
        """Give a subscription back at once, so the plan shrinks from the next frame."""
        self.hub.unsubscribe(sub, reason, code)

    def plan_now(self) -> Plan:
        """The live plan: everything subscribed now, at any rate."""
        return self.planner.plan(self.hub.requested())

    def live_plan(self) -> dict[str, Any]:
        """The live plan explained: on which frames each node runs, how many subscriptions
        share it (`shared_by`), what it costs (moving averages over the last seconds), and
        the Triton connection (`triton`: connected, and the models loaded there)."""
        subs = list(self.hub)
        plan, runs = explain(self.planner, [w for s in subs for w in s.wants])
        ledger = self.worker.ledger
        sharing = {n: 0 for n in plan.order}
        for sub in subs:
            for node in self.planner.plan(sub.wants_keys()).order:
                sharing[node] += 1
        cost = {n: (ledger.node(n) or {}) | {"subscriptions": sharing[n]} for n in plan.order}
        return plan.to_json() | {
            "live": True,
            "subscribers": len(subs),
            "runs": runs,
            "shared_by": sharing,
            "cost": cost,
            "triton": self._triton_state(),
        }

    def _triton_state(self) -> dict[str, Any] | None:
        """None without Triton; else whether it is connected and the models it serves us
        (the embedded server loads them at start; a remote one was checked for them)."""
        triton = self.worker.triton
        if triton is None:
            return None
        connected = getattr(triton, "client", None) is not None
        models = [getattr(m, "name", m) for m in getattr(triton, "models", ())]
        return {"connected": connected, "models_loaded": models if connected else []}

    def describe(self, sub: Subscriber) -> dict[str, Any]:
        """A subscription as `GET /subscriptions` and the acknowledgements show it."""
        return {
            "subscriber": sub.id,
            "features": sorted(sub.features),
            "wants": [w.to_json() for w in sub.wants],
            "rate": sub.rate.to_json(),
            "policy": sub.policy,
            "queue": sub.maxsize,
            "cost": self.worker.ledger.subscription(sub.id),
            "events": {"delivered": sub.delivered, "dropped": sub.dropped, "queued": len(sub)},
        }

    def ack(self, kind: str, sub: Subscriber, from_frame: int | None = None) -> dict[str, Any]:
        """What a client is told when its subscription starts or changes. `grace`: how long
        it may be away and resume (seconds)."""
        return {
            "type": kind,
            **self.describe(sub),
            "from_frame": sub.first_seq if from_frame is None else from_frame,
            "plan": self.live_plan(),
            "grace": self.resumer.grace,
        }

    def ack_lease(self, lease: Lease) -> dict[str, Any]:
        """`subscribed`, for a new subscription or a resumed one (`resumed`, `replayed`
        frame events, and the `gap` reported first if some were no longer buffered)."""
        body = self.ack("subscribed", lease.sub)
        if lease.resumed:
            body["resumed"] = True
            body["replayed"] = lease.replayed
            body["gap"] = list(lease.gap) if lease.gap else None
        return body

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
        ready, checks = await self.ready.check()
        if self.settings.no_stream:
            checks["stdin"] = {"ok": True, "detail": "not read (--no-stream)"}
        return ready, checks

    @staticmethod
    def _busy(code: str, what: str, limit: int) -> ApiError:
        err = ApiError(503, code, f"too many {what} (limit {limit}); try again later", limit=limit)
        err.headers["Retry-After"] = "5"
        return err
