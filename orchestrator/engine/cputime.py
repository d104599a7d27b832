"""The worker CPU a node's own code spends, across its awaits.

Wall time minus remote waits overstates an async node's cost: while it awaits Triton the
event loop runs other nodes and frames, and that time would be counted as this node's.
So a coroutine is driven step by step here and only the thread CPU time of its own steps
(`time.thread_time`, the event loop's thread) is summed: the feature code, plus what the
Triton client does on the loop for it (encoding the request, shared memory, decoding
the reply). Work in other threads (decoding, gRPC's own) is not this node's.
"""

from __future__ import annotations

import time
from collections.abc import Coroutine, Generator
from typing import Any


class Timed:
    """`value = await (t := Timed(coro))`; then `t.cpu` holds the seconds of its steps."""

    def __init__(self, coro: Coroutine[Any, Any, Any]) -> None:
        self.coro = coro
        self.cpu = 0.0

    def __await__(self) -> Generator[Any, Any, Any]:
        coro = self.coro
        send: Any = None
        error: BaseException | None = None
        while True:
            start = time.thread_time()
            try:
                yielded = coro.send(send) if error is None else coro.throw(error)
            except StopIteration as stop:
                self.cpu += time.thread_time() - start
                return stop.value
            except BaseException:
                self.cpu += time.thread_time() - start
                raise
            self.cpu += time.thread_time() - start
            try:
                send, error = (yield yielded), None
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # cancellation and friends go to the coroutine
                send, error = None, exc
