"""The stdin reader: one line per frame, numbered and timestamped the moment it arrives.

Reading runs in a thread of its own (blocking reads work on pipes, files and terminals
alike, where asyncio's pipe transport does not), so arrival times are honest even while
the event loop is busy. A line longer than the limit is consumed and reported as
`too_large` without ever being held in memory whole.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from orchestrator.decode.base import DecodeError

DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024
_CHUNK = 1 << 20


@dataclass
class Line:
    ts: float  # wall clock
    arrived: float  # perf_counter
    data: bytes = b""
    error: DecodeError | None = None
    seq: int = -1  # numbered on the event loop when accepted, so counts never race


class LineReader:
    """Feeds `deliver(line)` on the event loop; `deliver(None)` once at end of input."""

    def __init__(
        self,
        stream: BinaryIO,
        deliver: Callable[[Line | None], object],
        loop: asyncio.AbstractEventLoop,
        *,
        max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
        blocking: bool = False,
    ) -> None:
        self._stream = stream
        self._deliver = deliver
        self._loop = loop
        self._max = max_line_bytes
        self._blocking = blocking  # lossless: wait for the backlog to have room
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="framegraph-stdin", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop handing lines over (a blocked read stays blocked: the thread is a daemon)."""
        self._stop.set()

    def _hand_over(self, item: Line | None) -> None:
        if self._blocking:
            fut = asyncio.run_coroutine_threadsafe(self._await(item), self._loop)
            fut.result()
        else:
            self._loop.call_soon_threadsafe(self._deliver, item)

    async def _await(self, item: Line | None) -> None:
        result = self._deliver(item)
        if asyncio.iscoroutine(result):
            await result

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                raw = self._stream.readline(self._max + 1)
                if not raw:
                    break
                line = Line(time.time(), time.perf_counter())
                if len(raw) > self._max and not raw.endswith(b"\n"):
                    skipped = len(raw) + self._skip_rest()
                    line.error = DecodeError(
                        "too_large", f"line of {skipped} bytes exceeds {self._max} bytes"
                    )
                else:
                    line.data = raw
                self._hand_over(line)
        except (OSError, ValueError, RuntimeError, concurrent.futures.CancelledError):
            pass  # stdin closed under us, or the loop is gone: treat as end of input
        with contextlib.suppress(RuntimeError, concurrent.futures.CancelledError):
            self._hand_over(None)

    def _skip_rest(self) -> int:
        skipped = 0
        while True:
            chunk = self._stream.readline(_CHUNK)
            skipped += len(chunk)
            if not chunk or chunk.endswith(b"\n"):
                return skipped
