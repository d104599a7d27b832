"""Worker CPU of a coroutine's own steps: not the time it spends waiting."""

from __future__ import annotations

import asyncio
import time

import pytest

from orchestrator.engine.cputime import Timed


def spin(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


async def test_steps_are_counted_waits_are_not() -> None:
    async def node() -> str:
        spin(0.02)
        await asyncio.sleep(0.2)  # a remote wait: other work could run here
        spin(0.02)
        return "done"

    timed = Timed(node())
    assert await timed == "done"
    assert 0.04 <= timed.cpu < 0.1


async def test_errors_and_cancellation_reach_the_coroutine() -> None:
    async def fails() -> None:
        await asyncio.sleep(0)
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        await Timed(fails())
    cleaned = asyncio.Event()

    async def waits() -> None:
        try:
            await asyncio.sleep(10)
        finally:
            cleaned.set()

    task = asyncio.create_task(_await(Timed(waits())))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cleaned.is_set()


async def _await(timed: Timed) -> None:
    await timed
