"""The backlog: lines read but not yet decoded, bounded either way.

Live mode (the default) keeps the freshest frames: when the pipeline falls behind, the
oldest waiting lines are dropped and each gets a `dropped` outcome ("behind"), so latency
stays bounded. Lossless mode makes the reader wait instead, which in turn makes the
stream's producer wait on the pipe: the reader thread takes a place (`room`) before it
hands a line over and the backlog gives it back when the line is taken, so the wait costs
the event loop nothing.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable

from orchestrator.ingest.lines import Line

_POLL = 0.2  # seconds a blocked reader waits before it checks whether it was stopped


class Places:
    """The free places of a lossless backlog, counted across the reader thread and the loop."""

    def __init__(self, n: int) -> None:
        self._free = threading.Semaphore(n)
        self._open = True

    def take(self, block: bool) -> bool:
        if not self._open:
            return True  # closed: the line is dropped on arrival, nothing to wait for
        return self._free.acquire(blocking=block, timeout=_POLL if block else None)

    def give(self, n: int) -> None:
        if n:
            self._free.release(n)

    def close(self) -> None:
        """Let a waiting reader through (its lines are then dropped as the backlog is)."""
        self._open = False
        self._free.release()


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
        self.room: Places | None = Places(self.maxsize) if lossless else None

    def offer(self, line: Line | None) -> None:
        """Queue a line; live mode drops the oldest waiting line when full (lossless mode
        never is: the reader took a place in `room` first)."""
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

    async def take(self, n: int) -> list[Line] | None:
        """Up to `n` waiting lines (at least one), or None at end of input."""
        while not self._lines:
            if self._eof:
                return None
            self._ready.clear()
            await self._ready.wait()
        batch = [self._lines.popleft() for _ in range(min(n, len(self._lines)))]
        if self.room is not None:
            self.room.give(len(batch))
        return batch

    def drain(self, reason: str) -> None:
        """Drop everything waiting (on shutdown), each with its outcome."""
        while self._lines:
            self._on_drop(self._lines.popleft(), reason)
        self._eof = self._closed = True
        self._ready.set()
        if self.room is not None:
            self.room.close()

    def __len__(self) -> int:
        return len(self._lines)
