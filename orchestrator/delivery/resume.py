"""Subscriptions that survive their connection: leases, the grace period, and resuming.

A transport (SSE, WebSocket, gRPC) holds a subscription through a `Lease` and reads its
events with `lease.get()`. When the connection goes without the client unsubscribing, the
subscription is *detached*, not released: it stays in the plan (its features keep being
computed) and the replay buffer keeps its events, for `grace` seconds. A client that comes
back in time with the subscription id and the last frame it received (`resume`) gets every
frame event it missed exactly once (one `gap` event first for frames that were no longer
buffered), then the live ones. After the grace period the subscription is released and the
plan shrinks. A resume may also take a subscription from a connection that still looks
alive (a half-open TCP connection is only noticed at the next write or heartbeat); that
connection's reads end and it is told `taken_over`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import orjson

from orchestrator.delivery.hub import Hub
from orchestrator.delivery.replay import Replay, gap_message
from orchestrator.delivery.subscriber import (
    DISCONNECTED,
    TAKEN_OVER,
    UNSUBSCRIBED,
    Message,
    Subscriber,
)
from orchestrator.telemetry import Telemetry

DEFAULT_GRACE = 10.0
MAX_GRACE = 300.0  # a detached subscription costs computation and buffer: keep it bounded


class UnknownSubscriptionError(LookupError):
    """No such subscription: never made, ended and delivered, or its grace period is over."""


class BadResumeError(ValueError):
    """A resume point that this stream has not reached."""


@dataclass
class Lease:
    """One connection's hold on a subscription."""

    sub: Subscriber
    generation: int
    resumed: bool = False
    gap: tuple[int, int] | None = None  # frames reported lost, on a resume
    replayed: int = 0  # frame events replayed, on a resume

    @property
    def current(self) -> bool:
        """False once another connection has taken the subscription over."""
        return self.sub.generation == self.generation

    async def get(self) -> Message | None:
        """The next event; None once the subscription ended (or was taken over)."""
        return await self.sub.get(self.generation)

    def end_event(self) -> bytes:
        """The last event this connection sends: why the subscription ended, or that
        another connection took it over (the subscription goes on there)."""
        if self.current:
            return self.sub.end_event()
        return orjson.dumps(
            {
                "type": "end",
                "code": TAKEN_OVER,
                "reason": "the subscription was resumed on another connection",
                "delivered": self.sub.delivered,
                "dropped": self.sub.dropped,
            }
        )


class Resumer:
    def __init__(
        self, hub: Hub, grace: float = DEFAULT_GRACE, telemetry: Telemetry | None = None
    ) -> None:
        self.hub = hub
        self.grace = min(max(grace, 0.0), MAX_GRACE)
        self.telemetry = telemetry or hub.telemetry
        self._subs: dict[int, Subscriber] = {}  # held or detached, until left for good
        self._timers: dict[int, asyncio.TimerHandle] = {}

    def hold(self, sub: Subscriber) -> Lease:
        """A new subscription, held by the connection that made it."""
        self._subs[sub.id] = sub
        return Lease(sub, sub.generation)

    def resume(self, sub_id: int, after: int | None) -> Lease:
        """Take subscription `sub_id` back; the client received frames up to `after`."""
        sub = self._subs.get(sub_id)
        if sub is None:
            self.telemetry.resumes.labels("unknown").inc()
            raise UnknownSubscriptionError(
                f"no subscription {sub_id}: it never existed, it ended, or its grace period "
                f"({self.grace:g} s) is over; subscribe again"
            )
        buffer = self.hub.replay
        last = buffer.last_seq if buffer is not None else self.hub.next_seq - 1
        if after is not None and after > last:
            raise BadResumeError(f"frame {after} has not been delivered yet (last: {last})")
        timer = self._timers.pop(sub_id, None)
        if timer is not None:
            timer.cancel()
            self.telemetry.detached.dec()
        after = -1 if after is None else after
        queued = sub.queued()
        if buffer is not None:
            replay = buffer.since(sub.id, after, sub.first_seq, queued)
        else:
            replay = Replay(None, [m for m in queued if m.frame_event and m.seq > after])
        messages = ([gap_message(*replay.gap)] if replay.gap else []) + replay.messages
        generation = sub.take_over(messages)
        self.telemetry.resumes.labels("gap" if replay.gap else "complete").inc()
        return Lease(sub, generation, True, replay.gap, len(replay.messages))

    def leave(self, lease: Lease, *, finished: bool = False, unsubscribed: bool = False) -> None:
        """The lease's connection is gone. `finished`: it delivered the `end` event;
        `unsubscribed`: the client asked to stop. Otherwise the subscription is detached for
        the grace period (released at once when there is none)."""
        if not lease.current:  # another connection holds it now
            return
        sub = lease.sub
        if unsubscribed or finished or self.grace <= 0:
            reason = "unsubscribed by the client" if unsubscribed else "client disconnected"
            self._forget(sub, reason, UNSUBSCRIBED if unsubscribed else DISCONNECTED)
            return
        if sub.id in self._timers:
            return
        sub.detached = True
        self.telemetry.detached.inc()
        loop = asyncio.get_running_loop()
        self._timers[sub.id] = loop.call_later(self.grace, self._expire, sub.id)

    def _expire(self, sub_id: int) -> None:
        if self._timers.pop(sub_id, None) is not None:
            self.telemetry.detached.dec()
        sub = self._subs.get(sub_id)
        if sub is not None:
            self._forget(sub, f"not resumed within {self.grace:g} s", DISCONNECTED)

    def _forget(self, sub: Subscriber, reason: str, code: str) -> None:
        self._subs.pop(sub.id, None)
        timer = self._timers.pop(sub.id, None)
        if timer is not None:
            timer.cancel()
            self.telemetry.detached.dec()
        self.hub.unsubscribe(sub, reason, code)
        sub.discard()

    @property
    def detached(self) -> int:
        """Subscriptions waiting for their client to come back."""
        return len(self._timers)

    def close(self) -> None:
        """Release every detached subscription now (the server is stopping)."""
        for sub_id in list(self._timers):
            self._expire(sub_id)
