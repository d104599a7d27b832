"""The stdin reader: one line per frame, numbered and timestamped the moment it arrives.

Reading runs in a thread of its own (blocking reads work on pipes, files and terminals
alike, where asyncio's pipe transport does not), so arrival times are honest even while
the event loop is busy. It reads raw chunks with `os.read` and splits lines itself:
a daemon thread blocked inside a buffered `readline` holds the buffer's lock and makes
the interpreter abort at exit, and a line longer than the limit can be skipped without
ever being held in memory whole (it is reported as `too_large`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import io
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from orchestrator.decode.base import DecodeError

DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024
_CHUNK = 1 << 20  # bytes per read
_Cancelled = concurrent.futures.CancelledError


@dataclass
class Line:
    ts: float  # wall clock
    arrived: float  # perf_counter
    data: bytes = b""
    error: DecodeError | None = None
    seq: int = -1  # numbered on the event loop when accepted, so counts never race
    prev_ts: float | None = None  # the previous accepted line's ts (rates by timestamp)


class Room(Protocol):
    """Places for lines not yet taken (a lossless backlog's), taken in the reader thread."""

    def take(self, block: bool) -> bool:
        """One place; False if none is free and `block` is False."""
        ...


class LineReader:
    """Feeds `deliver(lines)` on the event loop, every line complete in what one read
    returned in one call (one loop wake-up, not one per line); `deliver(None)` once at end
    of input. With a `room`, a line is handed over only once it has a place (lossless:
    the reader, and so the stream's producer, waits)."""

    def __init__(
        self,
        stream: BinaryIO,
        deliver: Callable[[list[Line] | None], object],
        loop: asyncio.AbstractEventLoop,
        *,
        max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
        room: Room | None = None,
    ) -> None:
        self._stream = stream
        self._deliver = deliver
        self._loop = loop
        self._max = max_line_bytes
        self._room = room
        self._pending: list[Line] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="framegraph-stdin", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop handing lines over (a blocked read stays blocked: the thread is a daemon)."""
        self._stop.set()

    def _hand_over(self, lines: list[Line] | None) -> None:
        """One loop wake-up for every line complete so far (None: end of input)."""
        self._loop.call_soon_threadsafe(self._deliver, lines)

    def _read1(self, size: int) -> bytes:
        """What is available now, for file objects without a descriptor (tests, BytesIO)."""
        read1 = getattr(self._stream, "read1", None)
        return read1(size) if read1 is not None else self._stream.read(size)

    def _chunks(self) -> Iterator[bytes]:
        try:
            fd = self._stream.fileno()
        except (AttributeError, OSError, io.UnsupportedOperation):
            fd = None
        while not self._stop.is_set():
            chunk = os.read(fd, _CHUNK) if fd is not None else self._read1(_CHUNK)
            if not chunk:
                return
            yield chunk

    def _run(self) -> None:
        with contextlib.suppress(OSError, ValueError, RuntimeError, _Cancelled):
            self._split()  # stdin closed under us, or the loop is gone: end of input
        with contextlib.suppress(RuntimeError, _Cancelled):
            self._flush()
            self._hand_over(None)

    def _flush(self) -> None:
        if self._pending:
            lines, self._pending = self._pending, []
            self._hand_over(lines)

    def _split(self) -> None:
        buf = bytearray()
        skipped = -1  # >= 0 while skipping the rest of an over-long line
        for chunk in self._chunks():
            start = 0
            while (nl := chunk.find(b"\n", start)) >= 0 or start < len(chunk):
                end = nl + 1 if nl >= 0 else len(chunk)
                piece = memoryview(chunk)[start:end]
                start = end
                if skipped >= 0:
                    skipped += len(piece)
                elif len(buf) + len(piece) > self._max + 1:
                    skipped = len(buf) + len(piece)
                    buf.clear()
                else:
                    buf += piece
                if nl < 0:
                    break
                self._emit(buf, skipped)
                buf.clear()
                skipped = -1
            self._flush()  # before the next read, which may block
        if buf or skipped >= 0:
            self._emit(buf, skipped)

    def _emit(self, buf: bytearray, skipped: int) -> None:
        line = Line(time.time(), time.perf_counter())
        if skipped >= 0:
            line.error = DecodeError(
                "too_large", f"line of {skipped} bytes exceeds {self._max} bytes"
            )
        else:
            line.data = bytes(buf)
        room = self._room
        if room is not None and not room.take(block=False):
            self._flush()  # the loop frees places only once it has these
            while not room.take(block=True):
                if self._stop.is_set():
                    break
        self._pending.append(line)
