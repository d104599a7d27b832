"""The hub's bookkeeping: union, subscriber gauges and drop counters, end of stream."""

from __future__ import annotations

import pytest

from orchestrator.delivery.events import Outcome
from orchestrator.delivery.hub import Hub, StreamEndedError, SubscriberLimitError
from orchestrator.delivery.subscriber import DISCONNECTED, TOO_SLOW
from orchestrator.engine.frame import Frame
from orchestrator.telemetry import Telemetry


def outcome(seq: int, **results: object) -> Outcome:
    frame = Frame(seq, float(seq), 0.0, results=dict(results))
    return Outcome(seq, float(seq), "result", frame=frame)


def gauge(t: Telemetry, policy: str) -> float:
    return t.value("framegraph_subscribers", {"policy": policy})


def drops(t: Telemetry, policy: str) -> float:
    return t.value("framegraph_subscriber_drops_total", {"policy": policy})


def ids(hub: Hub) -> set[str]:
    return {k.id for k in hub.requested()}


@pytest.fixture
def hub() -> Hub:
    return Hub(Telemetry(), max_subscribers=3)


async def test_latest_overwrites_are_counted_per_policy(hub: Hub) -> None:
    t = hub.telemetry
    sub = hub.subscribe({"a"}, "latest", maxsize=2)
    for i in range(5):
        await hub.publish(outcome(i, a=i))
    assert drops(t, "latest") == 3 and sub.dropped == 3
    assert gauge(t, "latest") == 1  # still subscribed: latest never cuts anyone off
    assert t.value("framegraph_feature_deliveries_total", {"feature": "a"}) == 5


async def test_lossless_cut_off_is_counted_released_and_shrinks_the_union(hub: Hub) -> None:
    t = hub.telemetry
    keep = hub.subscribe({"a"}, "latest")
    slow = hub.subscribe({"a", "b"}, "lossless", maxsize=2)
    assert ids(hub) == {"a", "b"} and gauge(t, "lossless") == 1
    for i in range(4):
        await hub.publish(outcome(i, a=i, b=i))
    assert slow.close_code == TOO_SLOW
    assert drops(t, "lossless") == 1  # the event that did not fit; then it is gone
    assert gauge(t, "lossless") == 0 and gauge(t, "latest") == 1
    assert ids(hub) == {"a"} and len(hub) == 1
    assert len(keep) == 4


async def test_disconnect_releases_without_counting_a_drop(hub: Hub) -> None:
    t = hub.telemetry
    sub = hub.subscribe({"a"}, "latest")
    hub.unsubscribe(sub, "client disconnected", DISCONNECTED)
    hub.unsubscribe(sub, "again")  # idempotent
    assert gauge(t, "latest") == 0 and drops(t, "latest") == 0
    assert hub.requested() == frozenset() and sub.close_code == DISCONNECTED


async def test_a_subscriber_closed_elsewhere_is_released_not_counted(hub: Hub) -> None:
    t = hub.telemetry
    sub = hub.subscribe({"a"}, "lossless")
    sub.close("gone")
    await hub.publish(outcome(0, a=0))
    assert len(hub) == 0 and gauge(t, "lossless") == 0 and drops(t, "lossless") == 0


async def test_limit_and_end_of_stream(hub: Hub) -> None:
    subs = [hub.subscribe({"a"}) for _ in range(3)]
    with pytest.raises(SubscriberLimitError):
        hub.subscribe({"a"})
    hub.close("end of stream")
    assert all(s.closed == "end of stream" for s in subs)
    assert gauge(hub.telemetry, "latest") == 0
    with pytest.raises(StreamEndedError):
        hub.subscribe({"a"})


async def test_late_subscriber_gets_frames_from_the_next_boundary(hub: Hub) -> None:
    early = hub.subscribe({"a"})
    hub.admitted(0)  # frame 0 planned before the late one arrived
    late = hub.subscribe({"a"})
    await hub.publish(outcome(0, a=0))
    await hub.publish(outcome(1, a=1))
    assert len(early) == 2 and len(late) == 1
