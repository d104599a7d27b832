import asyncio

from orchestrator.ingest.backlog import Backlog
from orchestrator.ingest.lines import Line


def line(seq: int) -> Line:
    return Line(0.0, 0.0, seq=seq)


async def test_live_backlog_drops_the_oldest() -> None:
    dropped: list[tuple[int, str]] = []
    backlog = Backlog(2, lossless=False, on_drop=lambda ln, r: dropped.append((ln.seq, r)))
    for i in range(5):
        backlog.offer(line(i))
    assert dropped == [(0, "behind"), (1, "behind"), (2, "behind")]
    assert [ln.seq for ln in await backlog.take(10)] == [3, 4]


async def test_lossless_backlog_has_places_given_back_when_taken() -> None:
    backlog = Backlog(2, lossless=True, on_drop=lambda ln, r: None)
    room = backlog.room
    assert room is not None
    assert room.take(False) and room.take(False) and not room.take(False)
    backlog.offer(line(0))
    backlog.offer(line(1))
    assert [ln.seq for ln in await backlog.take(1)] == [0]
    assert room.take(False) and not room.take(False)  # one place back, one only


async def test_lossless_shutdown_lets_a_waiting_reader_through_and_drops_its_lines() -> None:
    dropped: list[tuple[int, str]] = []
    backlog = Backlog(1, lossless=True, on_drop=lambda ln, r: dropped.append((ln.seq, r)))
    room = backlog.room
    assert room is not None and room.take(False)
    backlog.offer(line(0))
    waiting = asyncio.create_task(asyncio.to_thread(room.take, True))
    await asyncio.sleep(0.05)
    backlog.drain("shutdown")
    assert await asyncio.wait_for(waiting, 2) is True
    backlog.offer(line(1))  # what the reader then hands over is dropped at once
    assert dropped == [(0, "shutdown"), (1, "shutdown")]
    assert await backlog.take(1) is None
