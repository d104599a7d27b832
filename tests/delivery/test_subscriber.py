"""A subscriber's queue: what each policy does when its reader falls behind."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from orchestrator.delivery.subscriber import END_OF_STREAM, TOO_SLOW, Message, Subscriber


def msg(seq: int) -> Message:
    return Message("result", seq, orjson.dumps({"type": "result", "frame": seq}))


async def drain(sub: Subscriber) -> list[Message]:
    out = []
    while len(sub) or sub._lost is not None:
        got = await sub.get()
        assert got is not None
        out.append(got)
    return out


async def test_latest_keeps_the_newest_and_reports_the_gap_once() -> None:
    sub = Subscriber(frozenset({"motion"}), "latest", maxsize=3)
    results = [sub.offer(msg(i)) for i in range(7)]
    assert results == [True, True, True, False, False, False, False]
    assert sub.dropped == 4
    got = await drain(sub)
    assert [m.kind for m in got] == ["dropped", "result", "result", "result"]
    notice = orjson.loads(got[0].data)
    assert notice == notice | {"frame": 0, "last_frame": 3, "count": 4, "reason": "client_behind"}
    assert [m.seq for m in got[1:]] == [4, 5, 6]


async def test_lossless_is_cut_off_when_full_but_keeps_what_it_had() -> None:
    sub = Subscriber(frozenset({"motion"}), "lossless", maxsize=2)
    assert sub.offer(msg(0)) and sub.offer(msg(1))
    assert not sub.offer(msg(2))
    assert sub.close_code == TOO_SLOW and "too slow" in (sub.closed or "")
    assert not sub.offer(msg(3))
    assert [m.seq for m in [await sub.get(), await sub.get()] if m] == [0, 1]
    assert await sub.get() is None
    end = orjson.loads(sub.end_event())
    assert end == {
        "type": "end",
        "code": TOO_SLOW,
        "reason": sub.closed,
        "delivered": 2,
        "dropped": 0,
    }


async def test_get_waits_for_a_message_and_ends_on_close() -> None:
    sub = Subscriber(frozenset({"a"}))
    waiting = asyncio.create_task(sub.get())
    await asyncio.sleep(0)
    sub.offer(msg(5))
    assert (await waiting).seq == 5  # type: ignore[union-attr]
    waiting = asyncio.create_task(sub.get())
    await asyncio.sleep(0)
    sub.close("end of stream", END_OF_STREAM)
    assert await waiting is None
    assert orjson.loads(sub.end_event())["code"] == END_OF_STREAM


async def test_discard_forgets_queue_and_gap() -> None:
    sub = Subscriber(frozenset({"a"}), maxsize=1)
    sub.offer(msg(0))
    sub.offer(msg(1))
    sub.discard()
    sub.close("bye")
    assert await sub.get() is None


@pytest.mark.parametrize("first", [0, 10])
def test_subset_changes_apply_from_their_frame(first: int) -> None:
    sub = Subscriber(frozenset({"a"}), first_seq=first)
    sub.change(frozenset({"a", "b"}), first + 5)
    assert sub.subset_for(first - 1) is None
    assert sub.subset_for(first + 4) == {"a"}
    assert sub.subset_for(first + 5) == {"a", "b"}
    assert sub.features == {"a", "b"}


def test_a_parameterised_string_must_be_resolved_first() -> None:
    import pytest

    from orchestrator.delivery.subscriber import as_wants

    assert [w.id for w in as_wants(["motion", "faces.tracks"])] == ["motion", "faces.tracks"]
    with pytest.raises(ValueError, match="resolve it"):
        as_wants(["activity(frames=4)"])
