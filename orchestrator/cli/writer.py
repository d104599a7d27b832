"""Event lines to stdout from a thread of its own, without a loop round trip per write.

A pipe's reader may be slow, so writes must not block the event loop; handing each write
to the loop's thread pool costs two thread hand-offs per frame (submit, then a wake-up of
the loop to say it is done). Here the loop only queues a chunk; the writer thread writes
and flushes it (soft real time: every chunk leaves at once). A count of places bounds what
is queued, so a slow reader still slows the worker down (backpressure), and the loop
waits only when the count is exhausted.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from typing import BinaryIO


class LineWriter:
    def __init__(self, out: BinaryIO, depth: int = 8) -> None:
        self._out = out
        self._queue: queue.SimpleQueue[list[bytes] | None] = queue.SimpleQueue()
        self._places = threading.Semaphore(depth)
        self.broken = False  # the reader went away (EPIPE): later chunks are not written
        self._thread = threading.Thread(target=self._run, name="framegraph-stdout", daemon=True)
        self._thread.start()

    async def put(self, lines: list[bytes]) -> bool:
        """Queue lines (without their newlines); False once the reader has gone."""
        if self.broken:
            return False
        if not self._places.acquire(blocking=False):
            await asyncio.to_thread(self._places.acquire)
        self._queue.put(lines)
        return not self.broken

    async def close(self) -> None:
        """Wait until everything queued is written."""
        self._queue.put(None)
        await asyncio.to_thread(self._thread.join)

    def _run(self) -> None:
        while (lines := self._queue.get()) is not None:
            if not self.broken:
                try:
                    self._out.write(b"\n".join(lines) + b"\n")
                    self._out.flush()
                except BrokenPipeError:
                    self.broken = True
            self._places.release()
