"""Leases, the grace period and resuming, on a hub and a replay buffer without any server:
what a detached subscription keeps, when it is released, who reads after a take-over, and
what a resume after an overflow or with an unknown id gets."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from orchestrator.delivery.events import Outcome
from orchestrator.delivery.hub import Hub
from orchestrator.delivery.replay import ReplayBuffer
from orchestrator.delivery.resume import (
    MAX_GRACE,
    BadResumeError,
    Lease,
    Resumer,
    UnknownSubscriptionError,
)
from orchestrator.delivery.subscriber import DISCONNECTED, TAKEN_OVER, UNSUBSCRIBED, Message


def make(grace: float = 5.0, frames: int = 100) -> tuple[Hub, Resumer]:
    hub = Hub(replay=ReplayBuffer(max_frames=frames))
    return hub, Resumer(hub, grace)


async def publish(hub: Hub, *seqs: int) -> None:
    """Frame outcomes as the pipeline hands them out (drops: no pixels needed)."""
    for seq in seqs:
        hub.admitted(seq)
        await hub.publish(Outcome(seq, 0.0, "dropped", code="behind", message="test"))


async def read(lease: Lease, count: int) -> list[Message]:
    out = []
    for _ in range(count):
        msg = await asyncio.wait_for(lease.get(), 1)
        assert msg is not None
        out.append(msg)
    return out


async def drain(lease: Lease) -> list[int]:
    """Read until the lease's reads end (None)."""
    seqs = []
    while (msg := await lease.get()) is not None:
        seqs.append(msg.seq)
    return seqs


def resumes(resumer: Resumer) -> dict[str, float]:
    return resumer.telemetry.by_label("framegraph_resumes_total", "outcome")


async def wait_for(check, timeout: float = 3.0) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.005)


async def test_a_detached_subscription_is_planned_until_its_grace_expires() -> None:
    hub, resumer = make(grace=0.1)
    sub = hub.subscribe({"motion"})
    resumer.leave(resumer.hold(sub))  # the connection went without unsubscribing
    assert resumer.detached == 1 and sub.detached
    assert resumer.telemetry.value("framegraph_subscriptions_detached") == 1
    await publish(hub, 0, 1)
    assert {k.id for k in hub.requested()} == {"motion"}  # still computed for it ...
    assert len(sub) == 0 and len(hub.replay or []) == 2  # ... and buffered, not queued
    await wait_for(lambda: resumer.detached == 0)
    assert hub.requested() == frozenset() and len(hub) == 0  # released: the plan shrinks
    assert sub.close_code == DISCONNECTED and "not resumed within" in (sub.closed or "")
    assert resumer.telemetry.value("framegraph_subscriptions_detached") == 0
    with pytest.raises(UnknownSubscriptionError):
        resumer.resume(sub.id, 1)
    assert resumes(resumer) == {"unknown": 1.0}


async def test_resume_within_the_grace_replays_what_was_missed_exactly_once() -> None:
    hub, resumer = make()
    sub = hub.subscribe({"motion"})
    lease = resumer.hold(sub)
    await publish(hub, 0, 1, 2)
    assert [m.seq for m in await read(lease, 2)] == [0, 1]  # frame 2 is lost in flight
    resumer.leave(lease)
    await publish(hub, 3, 4)
    again = resumer.resume(sub.id, after=1)
    assert resumer.detached == 0 and (again.resumed, again.gap, again.replayed) == (True, None, 3)
    await publish(hub, 5)
    assert [m.seq for m in await read(again, 4)] == [2, 3, 4, 5]
    assert len(sub) == 0  # nothing twice
    assert resumes(resumer) == {"complete": 1.0}
    await asyncio.sleep(0)  # the cancelled grace timer never fires
    assert len(hub) == 1


async def test_a_resume_takes_over_a_connection_that_still_looks_alive() -> None:
    hub, resumer = make()
    sub = hub.subscribe({"motion"})
    old = resumer.hold(sub)
    await publish(hub, 0, 1, 2)
    await read(old, 1)
    waiting = asyncio.create_task(drain(old))  # the half-open connection's reader
    await asyncio.sleep(0)  # it takes frames 1 and 2: written to a socket nobody reads
    new = resumer.resume(sub.id, after=0)  # the client got frame 0 only
    assert not old.current and new.current
    assert await asyncio.wait_for(waiting, 1) == [1, 2]  # then its reads end
    assert await old.get() is None
    end = orjson.loads(old.end_event())
    assert end["code"] == TAKEN_OVER and "another connection" in end["reason"]
    resumer.leave(old)  # the old connection finally notices: changes nothing
    assert resumer.detached == 0 and len(hub) == 1
    await publish(hub, 3)
    assert [m.seq for m in await read(new, 3)] == [1, 2, 3]


async def test_resume_after_the_buffer_overflowed_is_one_gap_first() -> None:
    hub, resumer = make(frames=3)
    sub = hub.subscribe({"motion"})
    resumer.leave(resumer.hold(sub))
    await publish(hub, *range(10))
    lease = resumer.resume(sub.id, after=None)  # nothing received yet
    assert (lease.gap, lease.replayed) == ((0, 6), 3)
    got = await read(lease, 4)
    assert [m.kind for m in got] == ["gap", "dropped", "dropped", "dropped"]
    gap = orjson.loads(got[0].data)
    assert (gap["frame"], gap["last_frame"], gap["count"], gap["reason"]) == (
        0,
        6,
        7,
        "resume_buffer",
    )
    assert not got[0].frame_event  # a gap carries no id to resume from
    assert [m.seq for m in got[1:]] == [7, 8, 9]
    assert resumes(resumer) == {"gap": 1.0}


async def test_unknown_ids_and_resume_points_ahead_are_refused() -> None:
    hub, resumer = make()
    with pytest.raises(UnknownSubscriptionError):
        resumer.resume(12345, None)
    sub = hub.subscribe({"motion"})
    resumer.leave(resumer.hold(sub))
    await publish(hub, 0, 1)
    with pytest.raises(BadResumeError):
        resumer.resume(sub.id, after=5)  # frame 5 was never delivered
    assert resumer.detached == 1  # a refused resume leaves it waiting
    assert resumes(resumer) == {"unknown": 1.0}


async def test_unsubscribed_finished_or_no_grace_is_released_at_once() -> None:
    hub, resumer = make()
    a, b = hub.subscribe({"motion"}), hub.subscribe({"scene.cut"})
    resumer.leave(resumer.hold(a), unsubscribed=True)
    resumer.leave(resumer.hold(b), finished=True)  # its `end` was delivered
    assert resumer.detached == 0 and len(hub) == 0
    assert (a.close_code, b.close_code) == (UNSUBSCRIBED, DISCONNECTED)
    hub, resumer = make(grace=0)
    c = hub.subscribe({"motion"})
    resumer.leave(resumer.hold(c))
    assert resumer.detached == 0 and len(hub) == 0
    with pytest.raises(UnknownSubscriptionError):
        resumer.resume(c.id, None)


async def test_close_releases_every_detached_subscription_and_grace_is_bounded() -> None:
    hub, resumer = make()
    for features in ({"motion"}, {"scene.cut"}):
        resumer.leave(resumer.hold(hub.subscribe(features)))
    assert resumer.detached == 2
    resumer.close()
    assert resumer.detached == 0 and len(hub) == 0
    assert Resumer(hub, 10**6).grace == MAX_GRACE and Resumer(hub, -1).grace == 0
