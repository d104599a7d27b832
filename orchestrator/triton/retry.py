"""When and how a failed Triton request is tried again: one policy, one call site.

A model being reloaded, a server restarting or a connection broken by a pod going away
should cost a frame some latency, not its features. `RetryPolicy.run` sends a request,
and when it fails as unavailable or not ready (`errors.py`), tries again with
exponential backoff and jitter (tenacity), a few times at most, and only while the
frame's deadline leaves time (`models.deadline`; outside a frame, `budget` seconds from
the first try). While the client is reconnecting, the wait ends as soon as the server
answers again, so a restart costs its own length, not a backoff step more. Once the
server has been unreachable for longer than a frame's whole window, it is an outage,
not a blip: requests fail at once (their frames' CPU features go on being delivered)
until it is back. Anything else (bad input, a model's own error) fails at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    wait_exponential,
    wait_random,
)

from orchestrator.models.deadline import Deadline, current_deadline
from orchestrator.triton.errors import TritonNotReady, TritonUnavailable

T = TypeVar("T")
RETRYABLE = (TritonUnavailable, TritonNotReady)


def reason(exc: BaseException | None) -> str:
    """The metric label of a retry: `unavailable` or `not_ready`."""
    return "not_ready" if isinstance(exc, TritonNotReady) else "unavailable"


@dataclass(frozen=True)
class RetryPolicy:
    """At most `attempts` tries per request (but as many as the deadline allows while the
    client reconnects, or the server says its model is not ready: loading after a restart
    takes seconds); waits from
    `first_wait` doubling to `max_wait`."""

    attempts: int = 4
    first_wait: float = 0.05
    max_wait: float = 1.0
    budget: float = 2.0  # seconds to retry within when no frame deadline is set

    async def run(
        self,
        send: Callable[[], Awaitable[T]],
        *,
        connected: asyncio.Event,
        outage: Callable[[], float] = lambda: 0.0,
        on_retry: Callable[[str], None] = lambda _: None,
    ) -> T:
        """`send()` until it succeeds or may not be retried; the last error is raised.

        `connected` is clear while the client is reconnecting (for `outage()` seconds): a
        retry then waits for it (up to the deadline) instead of a backoff step.
        `on_retry(reason)` counts each retry.
        """
        frame = current_deadline() or Deadline.after(time.perf_counter(), self.budget)
        deadline = frame.at
        backoff = wait_exponential(self.first_wait, self.max_wait) + wait_random(0, self.first_wait)

        def wait(state: RetryCallState) -> float:
            left = deadline - time.perf_counter()
            return left if not connected.is_set() else min(backoff(state), left)

        def stop(state: RetryCallState) -> bool:  # tenacity computes the wait first
            if not connected.is_set():  # the wait ends when the server is back: worth it while
                # time is left, unless the server has been gone longer than a frame may wait
                return time.perf_counter() >= deadline or outage() >= frame.window
            error = state.outcome.exception() if state.outcome is not None else None
            loading = isinstance(error, TritonNotReady)  # a server back, its models loading:
            if state.attempt_number >= self.attempts and not loading:  # wait for them
                return True
            return time.perf_counter() + state.upcoming_sleep >= deadline

        async def sleep(seconds: float) -> None:
            if connected.is_set():
                await asyncio.sleep(seconds)
                return
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(connected.wait(), seconds)

        def before_sleep(state: RetryCallState) -> None:
            outcome = state.outcome
            on_retry(reason(outcome.exception() if outcome is not None else None))

        retrying = AsyncRetrying(
            stop=stop,
            wait=wait,
            retry=retry_if_exception_type(RETRYABLE),
            sleep=sleep,
            before_sleep=before_sleep,
            reraise=True,
        )

        async def attempt() -> T:  # tenacity awaits only what it sees is a coroutine function
            return await send()

        return await retrying(attempt)
