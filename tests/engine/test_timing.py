import asyncio

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

    assert await asyncio.gather(asyncio.create_task(node(1.0)), asyncio.create_task(node(2.0))) == [
        1.0,
        2.0,
    ]
    credit_remote(5.0)  # outside any node: ignored
