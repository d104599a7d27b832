import asyncio
import io
import threading
import tracemalloc
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

import orchestrator.ingest.lines as lines_mod
from orchestrator.ingest.lines import Line, LineReader


async def read_all(data: bytes, max_line_bytes: int = 100) -> list[Line]:
    loop = asyncio.get_running_loop()
    got: list[Line] = []
    done = asyncio.Event()

    def deliver(lines: list[Line] | None) -> None:
        if lines is None:
            done.set()
        else:
            assert lines, "no empty hand-overs"
            got.extend(lines)

    LineReader(io.BytesIO(data), deliver, loop, max_line_bytes=max_line_bytes).start()
    await asyncio.wait_for(done.wait(), 10)
    return got


async def test_lines_long_lines_and_a_last_line_without_newline() -> None:
    data = b"a\r\n" + b"x" * 500 + b"\n\nbb\n" + b"y" * 101 + b"\nlast"
    got = await read_all(data)
    assert [g.data for g in got] == [b"a\r\n", b"", b"\n", b"bb\n", b"", b"last"]
    assert got[1].error.code == "too_large" and "501 bytes" in got[1].error.message
    assert got[4].error.code == "too_large"
    assert all(g.error is None for i, g in enumerate(got) if i not in (1, 4))
    assert all(a.arrived <= b.arrived for a, b in pairwise(got))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=30),
    st.integers(1, 17),
)
def test_any_chunking_gives_the_same_lines(pieces: list[bytes], chunk: int) -> None:
    data = b"".join(p + b"\n" for p in pieces)
    old = lines_mod._CHUNK
    lines_mod._CHUNK = chunk
    try:
        got = asyncio.run(read_all(data, max_line_bytes=1000))
    finally:
        lines_mod._CHUNK = old
    assert [g.data for g in got] == [p + b"\n" for p in pieces]


class Endless:
    """A stream with one line of `size` bytes (made as read), then a short line."""

    def __init__(self, size: int) -> None:
        self.left = size

    def read1(self, n: int) -> bytes:
        if self.left > 0:
            take = min(n, self.left)
            self.left -= take
            return b"A" * take
        if self.left == 0:
            self.left = -1
            return b"\nshort\n"
        return b""


async def test_an_over_long_line_is_never_held_whole() -> None:
    loop = asyncio.get_running_loop()
    got: list[Line] = []
    done = asyncio.Event()

    def deliver(lines: list[Line] | None) -> None:
        got.extend(lines) if lines is not None else done.set()

    limit = 1 << 20
    tracemalloc.start()
    try:
        LineReader(Endless(64 * limit), deliver, loop, max_line_bytes=limit).start()
        await asyncio.wait_for(done.wait(), 60)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [g.error.code if g.error else g.data for g in got] == ["too_large", b"short\n"]
    assert f"line of {64 * limit + 1} bytes exceeds {limit} bytes" in got[0].error.message
    assert peak < 8 * limit  # a few chunks at most, not the 64 MiB line


async def test_lines_of_one_read_are_handed_over_together() -> None:
    """One loop wake-up per read, not per line (each costs a self-pipe write and a wake)."""
    loop = asyncio.get_running_loop()
    calls: list[list[Line] | None] = []
    done = asyncio.Event()

    def deliver(lines: list[Line] | None) -> None:
        calls.append(lines)
        if lines is None:
            done.set()

    LineReader(io.BytesIO(b"a\nb\nc\n"), deliver, loop).start()
    await asyncio.wait_for(done.wait(), 10)
    assert [[x.data for x in c] if c else c for c in calls] == [[b"a\n", b"b\n", b"c\n"], None]


class Counted:
    """Places for the reader, counted: how many were taken, and a cap."""

    def __init__(self, n: int) -> None:
        self.free = threading.Semaphore(n)
        self.taken = 0

    def take(self, block: bool) -> bool:
        ok = self.free.acquire(blocking=block, timeout=0.05 if block else None)
        self.taken += ok
        return ok


async def test_a_reader_with_no_room_hands_over_what_it_has_and_waits() -> None:
    loop = asyncio.get_running_loop()
    got: list[bytes] = []
    room = Counted(2)
    LineReader(
        io.BytesIO(b"a\nb\nc\nd\n"),
        lambda ls: got.extend(x.data for x in ls or ()),
        loop,
        room=room,
    ).start()
    for _ in range(100):
        await asyncio.sleep(0.01)
        if len(got) == 2:
            break
    await asyncio.sleep(0.1)
    assert got == [b"a\n", b"b\n"]  # the third waits for a place; the first two are out
    room.free.release(2)
    for _ in range(100):
        await asyncio.sleep(0.01)
        if len(got) == 4:
            break
    assert got == [b"a\n", b"b\n", b"c\n", b"d\n"] and room.taken == 4
