"""The replay buffer: capped in frames and in bytes, and honest about what it lost."""

from __future__ import annotations

from orchestrator.delivery.replay import ReplayBuffer
from orchestrator.delivery.subscriber import Message


def msg(seq: int, size: int = 10) -> Message:
    return Message("result", seq, b"x" * size)


def test_frames_cap_and_gap() -> None:
    buf = ReplayBuffer(max_frames=3, max_bytes=1000)
    for seq in range(10):
        buf.record(seq, {1: msg(seq)})
    replay = buf.since(1, after=1, first_seq=0, queued=[])
    assert replay.gap == (2, 6)
    assert [m.seq for m in replay.messages] == [7, 8, 9]


def test_bytes_cap_counts_shared_encodings_once() -> None:
    buf = ReplayBuffer(max_frames=100, max_bytes=250)
    for seq in range(5):
        shared = msg(seq, 100)
        buf.record(seq, {1: shared, 2: shared})  # same subset, same bytes
    assert len(buf) == 2 and buf.bytes == 200
    assert buf.since(2, after=-1, first_seq=0, queued=[]).gap == (0, 2)


def test_nothing_lost_means_no_gap_and_queue_is_merged() -> None:
    buf = ReplayBuffer(max_frames=2)
    buf.record(0, {1: msg(0)})
    buf.record(1, {1: msg(1)})
    buf.record(2, {1: msg(2)})  # frame 0 evicted, but still queued for the subscriber
    replay = buf.since(1, after=-1, first_seq=0, queued=[msg(0), msg(1)])
    assert replay.gap is None and [m.seq for m in replay.messages] == [0, 1, 2]
    assert buf.since(1, after=2, first_seq=0, queued=[]).messages == []
