import asyncio

import pytest

from orchestrator.engine.timing import NodeTiming, critical_path
from orchestrator.telemetry.remote import credit_remote, remote_accumulator


def test_critical_path_follows_the_last_finishing_prerequisite() -> None:
    timings = {
        "input": NodeTiming(0, 1, 0),
        "faces": NodeTiming(1, 5, 3.0),  # remote 3 s
        "persons": NodeTiming(1, 3, 1.5),  # finished earlier: not on the critical path
        "expression": NodeTiming(5, 9, 2.0),
        "both": NodeTiming(9, 10, 0),
    }
    needs = {
        "faces": ("input",),
        "persons": ("input",),
        "expression": ("faces",),
        "both": ("expression", "persons"),
    }
    # path: both <- expression <- faces <- input; worker = run time minus remote
    assert critical_path(timings, needs) == (5.0, 1.0 + 2.0 + 1.0 + 1.0)
    assert critical_path({}, needs) == (0.0, 0.0)


async def test_remote_time_is_credited_to_the_calling_task_only() -> None:
    async def node(seconds: float) -> float:
        acc = remote_accumulator()
        await asyncio.sleep(0)
        credit_remote(seconds)
        return acc.seconds

    got = await asyncio.gather(asyncio.create_task(node(1.0)), asyncio.create_task(node(2.0)))
    assert got == [pytest.approx(1.0), pytest.approx(2.0)]
    credit_remote(5.0)  # outside any node: ignored


async def test_concurrent_requests_of_one_node_count_their_overlap_once() -> None:
    """faces runs two nets at once: waiting 30 ms on both is 30 ms of the node's time, not
    60 (which made latency minus its parts negative)."""
    acc = remote_accumulator()

    async def request(seconds: float) -> None:
        await asyncio.sleep(seconds)
        credit_remote(seconds)

    await asyncio.gather(request(0.03), request(0.03))
    assert 0.025 < acc.seconds < 0.045
    acc.spans += [(100.0, 101.0), (100.5, 102.0), (103.0, 104.0)]  # overlapping, then apart
    assert acc.seconds == pytest.approx(0.03 + 2.0 + 1.0, abs=0.015)
