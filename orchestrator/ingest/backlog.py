"""The backlog: lines read but not yet decoded, bounded either way.

Live mode (the default) keeps the freshest frames: when the pipeline falls behind, the
oldest waiting lines are dropped and each gets a `dropped` outcome ("behind"), so latency
stays bounded. Lossless mode makes the reader wait instead, which in turn makes the
stream's producer wait on the pipe.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

from orchestrator.ingest.lines import Line


class Backlog:
    def __init__(
        self, maxsize: int, *, lossless: bool, on_drop: Callable[[Line, str], None]
    ) -> None:
        self.maxsize = max(1, maxsize)
        self.lossless = lossless
        self._on_drop = on_drop
        self._lines: deque[Line] = deque()
        self._eof = False
        self._closed = False  # drained on shutdown: whatever still arrives is dropped at once
        self._ready = asyncio.Event()
        self._space = asyncio.Event()
        self._space.set()

    def offer(self, line: Line | None) -> None:
        """Live mode: queue, dropping the oldest waiting line when full."""
        if self._closed and line is not None:
            self._on_drop(line, "shutdown")
            return
        if line is None:
            self._eof = True
        else:
            if len(self._lines) >= self.maxsize:
                self._on_drop(self._lines.popleft(), "behind")
            self._lines.append(line)
        self._ready.set()

    async def put(self, line: Line | None) -> None:
        """Lossless mode: queue, waiting for room."""
        while line is not None and len(self._lines) >= self.maxsize and not self._closed:
            self._space.clear()
            await self._space.wait()
        self.offer(line)

    async def take(self, n: int) -> list[Line] | None:
        """Up to `n` waiting lines (at least one), or None at end of input."""
        while not self._lines:
            if self._eof:
                return None
            self._ready.clear()
            await self._ready.wait()
        batch = [self._lines.popleft() for _ in range(min(n, len(self._lines)))]
        self._space.set()
        return batch

    def drain(self, reason: str) -> None:
        """Drop everything waiting (on shutdown), each with its outcome."""
        while self._lines:
            self._on_drop(self._lines.popleft(), reason)
        self._eof = self._closed = True
        self._ready.set()
        self._space.set()

    def __len__(self) -> int:
        return len(self._lines)
