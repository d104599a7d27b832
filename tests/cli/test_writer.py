import asyncio
import io
import threading

from orchestrator.cli.writer import LineWriter


async def test_chunks_are_written_in_order_each_flushed() -> None:
    out = io.BytesIO()
    writer = LineWriter(out)
    for i in range(20):
        assert await writer.put([b"%d" % i, b"x"])
    await writer.close()
    assert out.getvalue() == b"".join(b"%d\nx\n" % i for i in range(20))


class Stuck(io.BytesIO):
    """A pipe whose reader stopped reading until `go` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.go = threading.Event()

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.go.wait(10)
        return super().write(data)


async def test_a_slow_reader_makes_the_loop_wait_once_the_places_are_taken() -> None:
    out = Stuck()
    writer = LineWriter(out, depth=2)
    for i in range(2):  # a place each, until written
        await asyncio.wait_for(writer.put([b"%d" % i]), 1)
    third = asyncio.create_task(writer.put([b"2"]))
    await asyncio.sleep(0.2)
    assert not third.done()  # backpressure: the loop waits, memory stays bounded
    out.go.set()
    assert await asyncio.wait_for(third, 5)
    await writer.close()
    assert out.getvalue() == b"0\n1\n2\n"


class Gone(io.BytesIO):
    def write(self, data: bytes) -> int:  # type: ignore[override]
        raise BrokenPipeError


async def test_a_reader_gone_is_reported_and_nothing_more_is_written() -> None:
    writer = LineWriter(Gone())
    await writer.put([b"a"])
    await writer.close()
    assert writer.broken
    assert not await writer.put([b"b"])
