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
from orchestrator.delivery.subscriber import DISCONNECTED, Subscriber
from orchestrator.graph import Rate, Want
from orchestrator.graph.plan import Plan
from orchestrator.graph.request import explain
from orchestrator.http.errors import ApiError
from orchestrator.http.params import Subscription
from orchestrator.http.settings import Settings
from orchestrator.stream.worker import Worker


class Service:
    def __init__(self, worker: Worker, settings: Settings | None = None) -> None:
        self.worker = worker
        self.settings = settings or Settings()
        self.planner = worker.planner
        self.hub = worker.hub
        self.hub.max_subscribers = self.settings.max_subscribers
        self.connections = 0
        self.closing = asyncio.Event()  # set when the server stops: idle sockets say goodbye

    # Subscriptions -------------------------------------------------------------------
    def subscribe(self, req: Subscription) -> Subscriber:
        try:
            return self.hub.subscribe(req.wants, req.policy, req.queue, rate=req.rate)
        except SubscriberLimitError:
            limit = self.settings.max_subscribers
            raise self._busy("subscriber_limit", "subscribers", limit) from None
        except StreamEndedError as exc:
            raise ApiError(410, "stream_ended", str(exc)) from None

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
        """The live plan explained: on which frames each node runs, for how many
        subscriptions, and what it costs (moving averages over the last seconds)."""
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
            "cost": cost,
        }

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
        """What a client is told when its subscription starts or changes."""
        return {
            "type": kind,
            **self.describe(sub),
            "from_frame": sub.first_seq if from_frame is None else from_frame,
            "plan": self.live_plan(),
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
        stdin_open = self.worker.pipeline.stdin_open
        checks: dict[str, Any] = {
            "stdin": {"ok": stdin_open, "detail": "open" if stdin_open else "closed"}
        }
        models = self.plan_now().model_names
        if models:
            ok, detail = await self._triton_ready(models)
            checks["triton"] = {"ok": ok, "detail": detail, "models": list(models)}
        ready = all(c["ok"] for c in checks.values())
        self.worker.telemetry.ready.set(1 if ready else 0)
        return ready, checks

    async def _triton_ready(self, models: tuple[str, ...]) -> tuple[bool, str]:
        triton = self.worker.triton
        if triton is None:
            return False, "no Triton client in this worker"
        try:
            ok, reason = await asyncio.wait_for(triton.ready(models), self.settings.ready_timeout)
        except asyncio.TimeoutError:
            return False, f"Triton did not answer within {self.settings.ready_timeout:g} s"
        except Exception as exc:  # a probe reports, it does not crash
            return False, f"{type(exc).__name__}: {exc}"
        return bool(ok), reason or ("ready" if ok else "not ready")

    @staticmethod
    def _busy(code: str, what: str, limit: int) -> ApiError:
        err = ApiError(503, code, f"too many {what} (limit {limit}); try again later", limit=limit)
        err.headers["Retry-After"] = "5"
        return err
