"""The hub: who wants what, on which frames. Per frame it tells the planner the nodes due.

Each subscriber wants nodes at rates (`Want`). For each frame being planned, `schedule`
answers which nodes each subscriber needs on it; their union is the frame's plan (few
distinct sets recur, so plans come from the planner's cache). `requested` is everything
subscribed at any rate: the live plan, which keeps lanes (state, windows) alive.

Subscribing, changing and leaving take effect at the next frame boundary: a change
records the first frame it applies to, so every frame is delivered with the wants in
force when it was planned. Leaving is immediate for the union, so a departed client's
features stop being planned from the very next frame. Once the stream has ended (`close`),
nobody can subscribe: there will be no more frames. With a `replay` buffer, every published
frame's events are recorded there for clients that resume; a detached subscription (no
connection) is still planned for and recorded, but nothing is queued for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from orchestrator.delivery.events import Outcome
from orchestrator.delivery.replay import ReplayBuffer
from orchestrator.delivery.subscriber import (
    END_OF_STREAM,
    UNSUBSCRIBED,
    Message,
    Policy,
    Subscriber,
)
from orchestrator.graph.key import NodeKey
from orchestrator.graph.rate import EVERY_FRAME, Rate
from orchestrator.graph.request import Want
from orchestrator.telemetry import Telemetry

Feature = Want | NodeKey | str


@dataclass(frozen=True)
class FrameWants:
    """Who needs which nodes on one frame: the union is the frame's plan."""

    keys: frozenset[NodeKey]
    by_subscriber: dict[int, frozenset[NodeKey]]


class SubscriberLimitError(RuntimeError):
    pass


class StreamEndedError(RuntimeError):
    """The stream is over: a new subscriber would never receive anything."""


class Hub:
    def __init__(
        self,
        telemetry: Telemetry | None = None,
        max_subscribers: int = 256,
        replay: ReplayBuffer | None = None,
    ) -> None:
        self.telemetry = telemetry or Telemetry()
        self.replay = replay
        self.max_subscribers = max_subscribers
        self.next_seq = 0  # the first frame not yet planned
        self.ended: str | None = None  # why the stream ended, once it has
        self.on_join: Callable[[int], None] | None = None  # told when a subscription starts
        self.on_leave: Callable[[int], None] | None = None  # told when a subscription ends
        self._subs: dict[int, Subscriber] = {}
        self._union: frozenset[NodeKey] | None = frozenset()

    def subscribe(
        self,
        features: Iterable[Feature],
        policy: Policy = "latest",
        maxsize: int = 64,
        *,
        rate: Rate = EVERY_FRAME,
        every_frame: bool = False,
    ) -> Subscriber:
        """`features`: wants (or plain names of default nodes at every frame). `rate` is the
        subscription's own, for display: its wants already carry the rates they apply."""
        if self.ended is not None:
            raise StreamEndedError(f"the stream has ended ({self.ended})")
        if len(self._subs) >= self.max_subscribers:
            raise SubscriberLimitError(f"subscriber limit reached ({self.max_subscribers})")
        sub = Subscriber(
            features, policy, maxsize, first_seq=self.next_seq, rate=rate, every_frame=every_frame
        )
        self._subs[sub.id] = sub
        self.telemetry.subscribers.labels(policy).inc()
        self._changed()
        if self.on_join is not None:
            self.on_join(sub.id)
        return sub

    def change(
        self, sub: Subscriber, features: Iterable[Feature], rate: Rate | None = None
    ) -> None:
        sub.change(features, self.next_seq, rate)
        self._changed()

    def unsubscribe(
        self, sub: Subscriber, reason: str = "unsubscribed", code: str = UNSUBSCRIBED
    ) -> None:
        """Release a subscription now (idempotent); its reader drains what is queued."""
        sub.close(reason, code)
        if self._subs.pop(sub.id, None) is not None:
            self.telemetry.subscribers.labels(sub.policy).dec()
            self._changed()
            if self.on_leave is not None:
                self.on_leave(sub.id)

    def get(self, sub_id: int) -> Subscriber | None:
        return self._subs.get(sub_id)

    def requested(self) -> frozenset[NodeKey]:
        """Every node subscribed now, at any rate (cached until a subscription changes)."""
        if self._union is None:
            self._union = frozenset(w.key for s in self._subs.values() for w in s.wants)
        return self._union

    def schedule(self, seq: int, ts: float, prev_ts: float | None) -> FrameWants:
        """The nodes each subscriber needs on frame `seq`, being planned now."""
        by_sub = {}
        for sub in self._subs.values():
            due = sub.due(seq, ts, prev_ts)
            if due:
                by_sub[sub.id] = due
        keys = frozenset().union(*by_sub.values()) if by_sub else frozenset()
        return FrameWants(keys, by_sub)

    def admitted(self, seq: int) -> None:
        """The pipeline planned frame `seq`: later subscription changes apply after it."""
        self.next_seq = seq + 1

    async def publish(self, outcome: Outcome) -> None:
        """Hand an outcome to every subscriber that was there when its frame was planned."""
        recorded: dict[int, Message] = {}
        for sub in list(self._subs.values()):
            if sub.closed:  # closed behind the hub's back: release it, it lost nothing here
                self.unsubscribe(sub, sub.closed, sub.close_code or UNSUBSCRIBED)
                continue
            subset = sub.deliverable(outcome)
            if subset is None:
                continue
            msg = Message(outcome.kind, outcome.seq, outcome.encode(subset))
            recorded[sub.id] = msg
            if sub.detached:  # nobody reads it now: the replay buffer keeps the event
                continue
            if sub.policy == "backpressure":
                await sub.put(msg)
                delivered = not sub.closed
            else:
                queued = sub.offer(msg)
                if not queued:  # latest: an older event was overwritten; lossless: cut off
                    self.telemetry.subscriber_drops.labels(sub.policy).inc()
                delivered = queued or sub.policy == "latest"
            if delivered and outcome.kind == "result" and outcome.frame is not None:
                for name in subset:
                    if name in outcome.frame.results:
                        self.telemetry.delivered(name)
            if sub.closed:
                self.unsubscribe(sub, sub.closed, sub.close_code or UNSUBSCRIBED)
        if self.replay is not None:
            self.replay.record(outcome.seq, recorded)

    def close(
        self,
        reason: str = "end of stream",
        code: str = END_OF_STREAM,
        blocks: Mapping[str, Any] | None = None,
    ) -> None:
        """End every subscription and refuse new ones: no more frames will come. `blocks`:
        tiling results flushed at end of stream (node id -> JSON-ready values)."""
        self.ended = self.ended or reason
        for sub in list(self._subs.values()):
            if blocks:
                sub.keep_final(blocks)
            self.unsubscribe(sub, reason, code)

    def _changed(self) -> None:
        self._union = None

    def __len__(self) -> int:
        return len(self._subs)

    def __iter__(self) -> Iterator[Subscriber]:
        return iter(list(self._subs.values()))
