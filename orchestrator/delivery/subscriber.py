"""A subscriber: what it wants on which frames, its own bounded queue, and what happens when
it is full.

What it wants is a set of `Want`s (node + rate); the frames it gets are the frames where
one of them is due (`deliverable`): a client at a reduced rate receives events (results,
errors and drops alike) for its frames only, exactly one per frame. The stream owner's
stdout (`every_frame`) gets every frame, with the features due on it.

- `latest`: for live viewers; when full the oldest queued event is dropped (and counted),
  and the subscriber is told: the next event it reads is one `dropped` event naming the
  frames it missed (reason `client_behind`), so a gap is never silent.
- `lossless`: for recorders; when full the subscriber is cut off with a reason, because
  waiting for it would stall the stream for everybody. What it had queued is still
  delivered, then its stream ends.
- `backpressure`: for the stream owner's own stdout in `framegraph run`; the pipeline
  waits (with `--lossless`) or the backlog drops frames upstream instead.
A slow subscriber therefore only ever costs itself.

A subscription can outlive its connection (`delivery.resume`): while `detached` it is still
planned for, but nothing is queued (the replay buffer keeps its events); a connection that
takes it back replays what it missed (`restart`) and reads on. Each taking-over bumps
`generation`, which wakes and ends the reads of the connection that held it before.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import orjson

from orchestrator.graph.feature import NAME
from orchestrator.graph.key import NodeKey
from orchestrator.graph.rate import EVERY_FRAME, Rate
from orchestrator.graph.request import Want

if TYPE_CHECKING:
    from orchestrator.delivery.events import Outcome

Policy = Literal["latest", "lossless", "backpressure"]
POLICIES: tuple[Policy, ...] = ("latest", "lossless")
_ids = itertools.count(1)

# Why a subscription ended, as a stable code for clients (the reason is for people).
END_OF_STREAM = "end_of_stream"
TOO_SLOW = "too_slow"
UNSUBSCRIBED = "unsubscribed"
DISCONNECTED = "disconnected"
SHUTDOWN = "shutdown"
TAKEN_OVER = "taken_over"


@dataclass(frozen=True)
class Message:
    kind: str  # result | error | dropped | end
    seq: int
    data: bytes  # one JSON object
    frame_event: bool = True  # the event of frame `seq` (its id); False: about the stream


def as_wants(features: Iterable[Want | NodeKey | str]) -> tuple[Want, ...]:
    """Wants from wants, keys or plain (default-node) feature names. A string with
    parameters or a rate (`persons(min_score=0.3)`) is refused: only the catalog can type
    its values (`graph.resolve`), and an unresolved key would never be planned."""
    out = []
    for f in features:
        if isinstance(f, str):
            if not NAME.match(f):
                raise ValueError(f"{f!r} is not a plain feature name: resolve it (graph.resolve)")
            f = NodeKey(f)
        out.append(f if isinstance(f, Want) else Want(f))
    return tuple(dict.fromkeys(out))


class Subscriber:
    def __init__(
        self,
        features: Iterable[Want | NodeKey | str],
        policy: Policy = "latest",
        maxsize: int = 64,
        first_seq: int = 0,
        *,
        rate: Rate = EVERY_FRAME,
        every_frame: bool = False,
    ) -> None:
        self.id = next(_ids)
        self.policy = policy
        self.maxsize = maxsize
        self.first_seq = first_seq
        self.rate = rate  # the subscription's own rate (features may have theirs)
        self.every_frame = every_frame  # an event for every frame, even with nothing due
        self.final: dict[str, Any] = {}  # tiling results flushed at end of stream
        self.dropped = 0  # events lost to a full queue (latest), over its lifetime
        self.delivered = 0  # events taken by its reader
        self.closed: str | None = None  # the reason, once closed
        self.close_code: str | None = None
        self._subsets: list[tuple[int, tuple[Want, ...]]] = [(first_seq, as_wants(features))]
        self._queue: deque[Message] = deque()
        self._lost: tuple[int, int, int] | None = None  # (count, first seq, last seq) unreported
        self._ready = asyncio.Event()
        self._space = asyncio.Event()
        self._space.set()
        self.detached = False  # no connection holds it (see `delivery.resume`)
        self.generation = 0  # bumped each time a connection takes it over
        self._replay: deque[Message] = deque()  # delivered before the queue, after a resume

    @property
    def wants(self) -> tuple[Want, ...]:
        """The current wants (they apply from the next admitted frame)."""
        return self._subsets[-1][1]

    def wants_keys(self) -> frozenset[NodeKey]:
        return frozenset(w.key for w in self.wants)

    @property
    def features(self) -> frozenset[str]:
        """The current node ids (`persons`, `persons(min_score=0.3)`)."""
        return frozenset(w.id for w in self.wants)

    def change(
        self, features: Iterable[Want | NodeKey | str], from_seq: int, rate: Rate | None = None
    ) -> None:
        """Switch wants at a frame boundary: frames from `from_seq` get the new ones."""
        if rate is not None:
            self.rate = rate
        entry = (from_seq, as_wants(features))
        self._subsets = [s for s in self._subsets if s[0] < from_seq] + [entry]

    def _wants_for(self, seq: int, prune: bool = False) -> tuple[Want, ...] | None:
        found = None
        for first, wants in self._subsets:
            if first <= seq:
                found = wants
        if prune and found is not None and len(self._subsets) > 1 and self._subsets[1][0] <= seq:
            self._subsets = [s for s in self._subsets if s[0] >= self._subsets[1][0]]
        return found

    def subset_for(self, seq: int) -> frozenset[str] | None:
        """The node ids in force for frame `seq`, or None if it subscribed after that frame."""
        wants = self._wants_for(seq, prune=True)
        return None if wants is None else frozenset(w.id for w in wants)

    def due(self, seq: int, ts: float, prev_ts: float | None) -> frozenset[NodeKey]:
        """The nodes this subscriber needs computed on a frame being planned."""
        wants = self._wants_for(seq) or ()
        return frozenset(w.key for w in wants if w.runs(seq, ts, prev_ts))

    def deliverable(self, outcome: Outcome) -> frozenset[str] | None:
        """The node ids of `outcome` for this subscriber, or None if the frame is not one of
        its frames. Frames are published in order, so older wants are forgotten here."""
        wants = self._wants_for(outcome.seq, prune=True)
        if wants is None:
            return None
        frame = outcome.frame if outcome.kind == "result" else None
        ids = set()
        for w in wants:
            if w.block is not None and frame is not None:  # a block result, when one closed
                if w.id in frame.results or w.id in frame.errors:
                    ids.add(w.id)
            elif w.delivers(outcome.seq, outcome.ts, outcome.prev_ts):
                ids.add(w.id)
        if not ids and not self.every_frame:
            return None
        return frozenset(ids)

    def offer(self, msg: Message) -> bool:
        """Queue without waiting. False when something was lost: for `latest` the oldest
        queued event (the new one is queued), for `lossless` the subscriber itself (cut off)."""
        if self.closed:
            return False
        if len(self._queue) >= self.maxsize:
            if self.policy == "lossless":
                self.close(f"too slow: {self.maxsize} events queued (lossless)", TOO_SLOW)
                return False
            self._lose(self._queue.popleft())
            self._queue.append(msg)
            self._ready.set()
            return False
        self._queue.append(msg)
        self._ready.set()
        if len(self._queue) >= self.maxsize:
            self._space.clear()
        return True

    async def put(self, msg: Message) -> None:
        """Queue, waiting for room: only for the `backpressure` policy."""
        while len(self._queue) >= self.maxsize and not self.closed:
            await self._space.wait()
        if not self.closed:
            self.offer(msg)

    async def get(self, generation: int | None = None) -> Message | None:
        """The next message, or None once closed and drained (or, for a reader that gives
        its `generation`, once another connection has taken the subscription over).

        Events lost to a full queue come back first as one `dropped` message, in frame order.
        """
        while not self._replay and not self._queue and self._lost is None:
            if self.closed or (generation is not None and generation != self.generation):
                return None
            self._ready.clear()
            await self._ready.wait()
        if generation is not None and generation != self.generation:
            return None
        if self._replay:
            self.delivered += 1
            return self._replay.popleft()
        if self._lost is not None:
            return self._lost_message()
        msg = self._queue.popleft()
        self.delivered += 1
        if len(self._queue) < self.maxsize:
            self._space.set()
        return msg

    def close(self, reason: str, code: str = UNSUBSCRIBED) -> None:
        if self.closed is None:
            self.closed = reason
            self.close_code = code
        self._ready.set()
        self._space.set()

    def queued(self) -> list[Message]:
        """What is queued now (not taken), oldest first."""
        return list(self._queue)

    def take_over(self, replay: list[Message]) -> int:
        """A connection takes the subscription: what is queued is replaced by `replay` (what
        that client missed, oldest first); the previous reader's `get` ends. Its generation."""
        self.generation += 1
        self.detached = False
        self.discard()
        self._replay = deque(replay)
        self._ready.set()
        return self.generation

    def discard(self) -> None:
        """Forget what is queued (the reader no longer wants it, e.g. it unsubscribed)."""
        self._queue.clear()
        self._replay.clear()
        self._lost = None
        self._space.set()

    def end_event(self) -> bytes:
        """The last event of a closed subscription: why it ended, and what it got. At end of
        stream a tiling feature's unfinished blocks come with it (`blocks`)."""
        event: dict[str, Any] = {
            "type": "end",
            "code": self.close_code or END_OF_STREAM,
            "reason": self.closed or "end of stream",
            "delivered": self.delivered,
            "dropped": self.dropped,
        }
        if self.final:
            event["blocks"] = self.final
        return orjson.dumps(event, option=orjson.OPT_SERIALIZE_NUMPY)

    def keep_final(self, blocks: Mapping[str, Any]) -> None:
        """Tiling results flushed at end of stream, for the nodes this subscriber wants."""
        self.final = {w.id: blocks[w.id] for w in self.wants if w.id in blocks}

    def _lose(self, msg: Message) -> None:
        self.dropped += 1
        if self._lost is None:
            self._lost = (1, msg.seq, msg.seq)
        else:
            count, first, _ = self._lost
            self._lost = (count + 1, first, msg.seq)

    def _lost_message(self) -> Message:
        assert self._lost is not None
        count, first, last = self._lost
        self._lost = None
        data = orjson.dumps(
            {
                "type": "dropped",
                "frame": first,
                "last_frame": last,
                "count": count,
                "reason": "client_behind",
                "message": f"this client fell behind; {count} event(s) were dropped for it only",
            }
        )
        return Message("dropped", first, data, frame_event=False)

    def __len__(self) -> int:
        return len(self._queue) + len(self._replay)
