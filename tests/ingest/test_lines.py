import asyncio
import io
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

    def deliver(line: Line | None) -> None:
        if line is None:
            done.set()
        else:
            got.append(line)

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

    def deliver(line: Line | None) -> None:
        got.append(line) if line is not None else done.set()

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
