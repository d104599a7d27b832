"""A subscriber: its feature subset, its own bounded queue, and what happens when it is full.

- `latest`: for live viewers; when full the oldest queued event is dropped (and counted).
- `lossless`: for recorders; when full the subscriber is cut off with a reason, because
  waiting for it would stall the stream for everybody.
- `backpressure`: for the stream owner's own stdout in `framegraph run`; the pipeline
  waits (with `--lossless`) or the backlog drops frames upstream instead.
A slow subscriber therefore only ever costs itself.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from dataclasses import dataclass
from typing import Literal

Policy = Literal["latest", "lossless", "backpressure"]
POLICIES: tuple[Policy, ...] = ("latest", "lossless")
_ids = itertools.count(1)


@dataclass(frozen=True)
class Message:
    kind: str  # result | error | dropped | end
    seq: int
    data: bytes  # one JSON object


class Subscriber:
    def __init__(
        self, features: frozenset[str], policy: Policy = "latest", maxsize: int = 64, first_seq: int = 0
    ) -> None:
        self.id = next(_ids)
        self.policy = policy
        self.maxsize = maxsize
        self.dropped = 0
        self.closed: str | None = None  # the reason, once closed
        self._subsets: list[tuple[int, frozenset[str]]] = [(first_seq, features)]
        self._queue: deque[Message] = deque()
        self._ready = asyncio.Event()
        self._space = asyncio.Event()
        self._space.set()

    @property
    def features(self) -> frozenset[str]:
        """The current subset (applies from the next admitted frame)."""
        return self._subsets[-1][1]

    def change(self, features: frozenset[str], from_seq: int) -> None:
        """Switch subsets at a frame boundary: frames from `from_seq` get the new one."""
        self._subsets = [s for s in self._subsets if s[0] < from_seq] + [(from_seq, features)]

    def subset_for(self, seq: int) -> frozenset[str] | None:
        """The subset in force for frame `seq`, or None if it subscribed after that frame."""
        found = None
        for first, feats in self._subsets:
            if first <= seq:
                found = feats
        if found is not None and len(self._subsets) > 1 and self._subsets[1][0] <= seq:
            self._subsets = [s for s in self._subsets if s[0] >= self._subsets[1][0]]
        return found

    def offer(self, msg: Message) -> bool:
        """Queue without waiting. False when something was lost: for `latest` the oldest
        queued event (the new one is queued), for `lossless` the subscriber itself (cut off)."""
        if self.closed:
            return False
        if len(self._queue) >= self.maxsize:
            if self.policy == "lossless":
                self.close(f"too slow: {self.maxsize} events queued (lossless)")
                return False
            self._queue.popleft()
            self.dropped += 1
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

    async def get(self) -> Message | None:
        """The next message, or None once closed and drained."""
        while not self._queue:
            if self.closed:
                return None
            self._ready.clear()
            await self._ready.wait()
        msg = self._queue.popleft()
        if len(self._queue) < self.maxsize:
            self._space.set()
        return msg

    def close(self, reason: str) -> None:
        if self.closed is None:
            self.closed = reason
        self._ready.set()
        self._space.set()

    def __len__(self) -> int:
        return len(self._queue)
