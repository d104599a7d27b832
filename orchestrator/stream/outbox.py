"""The outbox: outcomes leave in sequence order, one per input line, none twice.

Frames finish slightly out of order (independent nodes, several frames in flight) and
bad lines fail at once; clients still see frame n before frame n+1.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from orchestrator.delivery.events import Outcome


class Outbox:
    def __init__(
        self,
        publish: Callable[[Outcome], Awaitable[None]],
        after: Callable[[Outcome], None] = lambda _: None,
    ) -> None:
        self._publish = publish
        self._after = after
        self._ready: dict[int, Outcome] = {}
        self._wake = asyncio.Event()
        self._total: int | None = None
        self.next = 0  # the next sequence number to publish

    def put(self, outcome: Outcome) -> None:
        if outcome.seq < self.next or outcome.seq in self._ready:
            raise RuntimeError(f"frame {outcome.seq} has an outcome already")
        self._ready[outcome.seq] = outcome
        self._wake.set()

    def finish(self, total: int) -> None:
        """No line after `total - 1` will come; `run` returns once all are published."""
        self._total = total
        self._wake.set()

    async def run(self) -> None:
        while self._total is None or self.next < self._total:
            outcome = self._ready.pop(self.next, None)
            if outcome is None:
                self._wake.clear()
                await self._wake.wait()
                continue
            outcome.published = time.perf_counter()
            await self._publish(outcome)
            self._after(outcome)
            self.next += 1

    def __len__(self) -> int:
        return len(self._ready)
