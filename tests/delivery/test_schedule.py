"""Which frames a subscriber gets: its rate's frames only, one event each, whatever the kind."""

from __future__ import annotations

import orjson

from orchestrator.delivery.events import Outcome
from orchestrator.delivery.hub import Hub
from orchestrator.engine.frame import FeatureError, Frame
from orchestrator.graph import NodeKey, Rate, Want


def result(seq: int, **results: object) -> Outcome:
    frame = Frame(seq, float(seq), 0.0, results=dict(results))
    return Outcome(seq, float(seq), "result", frame=frame, prev_ts=float(seq - 1) if seq else None)


def failed(seq: int, kind: str = "error") -> Outcome:
    return Outcome(seq, float(seq), kind, code="corrupt", prev_ts=float(seq - 1))  # type: ignore[arg-type]


def want(name: str, block: int | None = None, **rate: int) -> Want:
    return Want(NodeKey(name), Rate.of(**rate), block)


async def drain(sub) -> list[dict]:  # type: ignore[no-untyped-def]
    out = []
    while len(sub):
        msg = await sub.get()
        out.append(orjson.loads(msg.data))
    return out


async def test_the_hub_schedules_each_frame_for_whoever_wants_it() -> None:
    hub = Hub()
    full = hub.subscribe([want("a")])
    third = hub.subscribe([want("a", every=3), want("b", every=3)])
    plans = {seq: hub.schedule(seq, float(seq), None) for seq in range(4)}
    assert plans[1].keys == {NodeKey("a")} and plans[1].by_subscriber == {full.id: {NodeKey("a")}}
    assert plans[3].keys == {NodeKey("a"), NodeKey("b")}
    assert plans[3].by_subscriber[third.id] == {NodeKey("a"), NodeKey("b")}
    assert hub.requested() == {NodeKey("a"), NodeKey("b")}


async def test_a_reduced_rate_client_gets_its_frames_only_whatever_their_outcome() -> None:
    hub = Hub()
    every = hub.subscribe([want("a")])
    third = hub.subscribe([want("a", every=3)])
    outcomes = [result(0, a=0), result(1, a=1), result(2, a=2), failed(3), result(4, a=4)]
    outcomes += [failed(5), failed(6, "dropped")]
    for o in outcomes:
        await hub.publish(o)
    assert [(e["type"], e["frame"]) for e in await drain(third)] == [
        ("result", 0),
        ("error", 3),
        ("dropped", 6),
    ]
    assert [e["frame"] for e in await drain(every)] == list(range(7))


async def test_per_feature_rates_share_one_event_per_frame() -> None:
    hub = Hub()
    sub = hub.subscribe([want("a", every=2), want("b", every=3)])
    for seq in range(7):
        await hub.publish(result(seq, a=seq, b=seq))
    got = {e["frame"]: sorted(e["features"]) for e in await drain(sub)}
    assert got == {0: ["a", "b"], 2: ["a"], 3: ["b"], 4: ["a"], 6: ["a", "b"]}


async def test_tiling_results_come_with_the_frame_their_block_closed_on() -> None:
    hub = Hub()
    sub = hub.subscribe([want("s", block=4)])
    frame = result(5, s={"late": True})  # block 0-3 closed late: its last frame failed
    for o in (result(0), result(1), result(2), failed(3), result(4), frame, result(6)):
        await hub.publish(o)
    events = await drain(sub)
    assert [(e["type"], e["frame"]) for e in events] == [("error", 3), ("result", 5)]
    assert events[1]["features"] == {"s": {"late": True}}
    errored = result(7)
    errored.frame.errors["s"] = FeatureError("boom")  # type: ignore[union-attr]
    await hub.publish(errored)
    assert (await drain(sub))[0]["errors"] == {"s": "boom"}


async def test_the_stream_owner_gets_every_frame_and_the_end_carries_partial_blocks() -> None:
    hub = Hub()
    owner = hub.subscribe([want("a", every=2), want("s", block=4)], every_frame=True)
    for seq in range(3):
        await hub.publish(result(seq, a=seq))
    assert [sorted(e["features"]) for e in await drain(owner)] == [["a"], [], ["a"]]
    hub.close("end of stream", blocks={"s": [{"ended": True}], "other": [1]})
    end = orjson.loads(owner.end_event())
    assert end["blocks"] == {"s": [{"ended": True}]}


async def test_changes_apply_from_the_next_frame_with_their_rate() -> None:
    hub = Hub()
    sub = hub.subscribe([want("a")])
    hub.admitted(1)
    hub.change(sub, [want("a", every=4)], Rate.of(every=4))
    assert sub.rate == Rate.of(every=4)
    for seq in range(6):
        await hub.publish(result(seq, a=seq))
    assert [e["frame"] for e in await drain(sub)] == [0, 1, 4]
