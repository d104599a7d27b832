"""The hub: who wants what. Its union of subsets is what the planner plans for.

Subscribing, changing a subset and leaving take effect at the next frame boundary: a
subset change records the first frame it applies to, so every frame is delivered with
the subset that was in force when that frame was planned. Leaving is immediate for the
union, so a departed client's features stop being planned from the very next frame.
Once the stream has ended (`close`), nobody can subscribe: there will be no more frames.
With a `replay` buffer, every published frame's events are recorded there for clients that
resume; a detached subscription (no connection) is still planned for and recorded, but
nothing is queued for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from orchestrator.delivery.events import Outcome
from orchestrator.delivery.replay import ReplayBuffer
from orchestrator.delivery.subscriber import (
    END_OF_STREAM,
    UNSUBSCRIBED,
    Message,
    Policy,
    Subscriber,
)
from orchestrator.telemetry import Telemetry


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
        self._subs: dict[int, Subscriber] = {}
        self._union: frozenset[str] | None = frozenset()

    def subscribe(
        self, features: Iterable[str], policy: Policy = "latest", maxsize: int = 64
    ) -> Subscriber:
        if self.ended is not None:
            raise StreamEndedError(f"the stream has ended ({self.ended})")
        if len(self._subs) >= self.max_subscribers:
            raise SubscriberLimitError(f"subscriber limit reached ({self.max_subscribers})")
        sub = Subscriber(frozenset(features), policy, maxsize, first_seq=self.next_seq)
        self._subs[sub.id] = sub
        self.telemetry.subscribers.labels(policy).inc()
        self._changed()
        return sub

    def change(self, sub: Subscriber, features: Iterable[str]) -> None:
        sub.change(frozenset(features), self.next_seq)
        self._changed()

    def unsubscribe(
        self, sub: Subscriber, reason: str = "unsubscribed", code: str = UNSUBSCRIBED
    ) -> None:
        """Release a subscription now (idempotent); its reader drains what is queued."""
        sub.close(reason, code)
        if self._subs.pop(sub.id, None) is not None:
            self.telemetry.subscribers.labels(sub.policy).dec()
            self._changed()

    def get(self, sub_id: int) -> Subscriber | None:
        return self._subs.get(sub_id)

    def requested(self) -> frozenset[str]:
        """The union of current subsets (cached until a subscription changes)."""
        if self._union is None:
            self._union = frozenset().union(*(s.features for s in self._subs.values()))
        return self._union

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
            subset = sub.subset_for(outcome.seq)
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

    def close(self, reason: str = "end of stream", code: str = END_OF_STREAM) -> None:
        """End every subscription and refuse new ones: no more frames will come."""
        self.ended = self.ended or reason
        for sub in list(self._subs.values()):
            self.unsubscribe(sub, reason, code)

    def _changed(self) -> None:
        self._union = None

    def __len__(self) -> int:
        return len(self._subs)

    def __iter__(self) -> Iterator[Subscriber]:
        return iter(list(self._subs.values()))
