"""The retry policy: what is retried, how often, and never past the frame's deadline."""

from __future__ import annotations

import asyncio
import time

import pytest

from orchestrator.models.deadline import Deadline, set_deadline
from orchestrator.triton.errors import TritonError, TritonNotReady, TritonUnavailable
from orchestrator.triton.retry import RetryPolicy

FAST = RetryPolicy(attempts=4, first_wait=0.0, max_wait=0.0, budget=30.0)


class Flaky:
    """Fails with the given errors in turn, then answers "ok"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def connected() -> asyncio.Event:
    event = asyncio.Event()
    event.set()
    return event


async def test_not_ready_and_unavailable_are_retried_and_counted() -> None:
    send = Flaky(TritonNotReady("persons: model not ready"), TritonUnavailable("gone"))
    reasons: list[str] = []
    assert await FAST.run(lambda: send(), connected=connected(), on_retry=reasons.append) == "ok"
    assert send.calls == 3 and reasons == ["not_ready", "unavailable"]


async def test_other_errors_fail_at_once() -> None:
    send = Flaky(TritonError("persons: bad input"))
    reasons: list[str] = []
    with pytest.raises(TritonError, match="bad input"):
        await FAST.run(send, connected=connected(), on_retry=reasons.append)
    assert send.calls == 1 and reasons == []


async def test_at_most_the_policys_attempts() -> None:
    send = Flaky(*[TritonUnavailable(f"try {i}") for i in range(10)])
    with pytest.raises(TritonUnavailable, match="try 3"):  # the last error is raised as it is
        await FAST.run(send, connected=connected(), on_retry=lambda _: None)
    assert send.calls == 4


async def test_a_model_still_loading_is_waited_for_until_the_deadline() -> None:
    """A restarted server answers before its models are loaded: "not ready" for seconds."""
    send = Flaky(*[TritonNotReady(f"loading {i}") for i in range(10)])
    assert await FAST.run(send, connected=connected(), on_retry=lambda _: None) == "ok"
    assert send.calls == 11
    set_deadline(Deadline(time.perf_counter() + 0.5, 0.5))
    never = Flaky(*[TritonNotReady("loading")] * 10_000)
    policy = RetryPolicy(attempts=4, first_wait=0.01, max_wait=0.01)
    with pytest.raises(TritonNotReady):
        await policy.run(never, connected=connected(), on_retry=lambda _: None)
    assert 4 < never.calls < 10_000  # past the attempts, stopped by the deadline


async def test_no_retry_past_the_frames_deadline() -> None:
    set_deadline(Deadline(time.perf_counter() - 0.001, 2.0))  # the frame's time is up
    send = Flaky(TritonNotReady("not ready"))
    with pytest.raises(TritonNotReady):
        await FAST.run(send, connected=connected(), on_retry=lambda _: None)
    assert send.calls == 1


async def test_while_reconnecting_a_retry_waits_for_the_connection() -> None:
    link = asyncio.Event()  # lost: the client is reconnecting
    send = Flaky(TritonUnavailable("gone"))
    reasons: list[str] = []

    async def reconnect() -> None:
        while send.calls == 0:
            await asyncio.sleep(0)
        link.set()

    task = asyncio.create_task(reconnect())
    assert await FAST.run(send, connected=link, on_retry=reasons.append) == "ok"
    await task
    assert send.calls == 2 and reasons == ["unavailable"]  # one wait, not a backoff series


async def test_a_connection_that_never_returns_fails_at_the_deadline() -> None:
    set_deadline(Deadline.after(time.perf_counter(), 0.05))
    send = Flaky(*[TritonUnavailable("gone") for _ in range(10)])
    with pytest.raises(TritonUnavailable):
        await FAST.run(send, connected=asyncio.Event(), on_retry=lambda _: None)
    assert send.calls <= 2


async def test_during_an_outage_longer_than_a_frames_window_new_requests_fail_at_once() -> None:
    set_deadline(Deadline.after(time.perf_counter(), 30.0))
    send = Flaky(TritonUnavailable("gone"))
    with pytest.raises(TritonUnavailable):  # no wait for a server gone for 31 s already
        await FAST.run(send, connected=asyncio.Event(), outage=lambda: 31.0)
    assert send.calls == 1
