"""The replay buffer: the recent frame events of every subscription, for clients that resume.

A connection can die with events in flight (written to a socket, never read), so what a
client missed is known only when it comes back and says the last frame it got. The worker
therefore keeps each recent frame's events as they were encoded for delivery: one entry per
frame, holding the encoded event of each subscriber (subscribers on the same subset share
the same bytes, so the cost is one copy per distinct subset). Both the number of frames and
the bytes are capped; the oldest frames go first, and `since` reports what went as a gap.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import orjson

from orchestrator.delivery.subscriber import Message

DEFAULT_FRAMES = 300  # 10 s at 30 frames/s: the default grace period of a fast camera
DEFAULT_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class _Entry:
    seq: int
    members: dict[int, Message]  # subscriber id -> its event for this frame
    size: int  # bytes of the distinct encodings


@dataclass(frozen=True)
class Replay:
    """What a resuming subscriber gets: one gap (first, last frame) if frames were evicted,
    then its events after the frame it named, in frame order."""

    gap: tuple[int, int] | None
    messages: list[Message]


class ReplayBuffer:
    def __init__(self, max_frames: int = DEFAULT_FRAMES, max_bytes: int = DEFAULT_BYTES) -> None:
        self.max_frames = max_frames
        self.max_bytes = max_bytes
        self.bytes = 0
        self.evicted_through = -1  # the newest frame no longer held
        self.last_seq = -1  # the newest frame recorded (or published with nobody to record)
        self._entries: deque[_Entry] = deque()

    def record(self, seq: int, members: dict[int, Message]) -> None:
        """Keep frame `seq`'s events (called once per published frame, in order)."""
        self.last_seq = seq
        if not members or self.max_frames <= 0:
            self.evicted_through = seq if self.max_frames <= 0 else self.evicted_through
            return
        size = sum(len(d) for d in {id(m.data): m.data for m in members.values()}.values())
        self._entries.append(_Entry(seq, members, size))
        self.bytes += size
        while self._entries and (
            len(self._entries) > self.max_frames or self.bytes > self.max_bytes
        ):
            old = self._entries.popleft()
            self.bytes -= old.size
            self.evicted_through = old.seq

    def since(self, sub_id: int, after: int, first_seq: int, queued: list[Message]) -> Replay:
        """Subscriber `sub_id`'s frame events after frame `after`: those held here, merged with
        those still in its queue (`queued`); frames of its subscription that were evicted from
        both are the gap. `first_seq` is the subscription's first frame."""
        start = max(after + 1, first_seq)
        held = {
            e.seq: e.members[sub_id]
            for e in self._entries
            if e.seq >= start and sub_id in e.members
        }
        for msg in queued:
            if msg.frame_event and msg.seq >= start:
                held.setdefault(msg.seq, msg)
        first_held = min(held, default=self.last_seq + 1)
        last_lost = min(self.evicted_through, first_held - 1)
        gap = (start, last_lost) if last_lost >= start else None
        return Replay(gap, [held[s] for s in sorted(held)])

    def __len__(self) -> int:
        return len(self._entries)


def gap_message(first: int, last: int) -> Message:
    """The `gap` event: frames of this subscription that were no longer held when it resumed."""
    count = last - first + 1
    data = orjson.dumps(
        {
            "type": "gap",
            "frame": first,
            "last_frame": last,
            "count": count,
            "reason": "resume_buffer",
            "message": f"{count} frame event(s) fell out of the resume buffer before this "
            "client came back",
        }
    )
    return Message("gap", first, data, frame_event=False)
