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


async def test_lossless_backlog_waits_and_shutdown_releases_waiters() -> None:
    dropped: list[tuple[int, str]] = []
    backlog = Backlog(1, lossless=True, on_drop=lambda ln, r: dropped.append((ln.seq, r)))
    await backlog.put(line(0))
    waiting = asyncio.create_task(backlog.put(line(1)))
    await asyncio.sleep(0.01)
    assert not waiting.done()
    backlog.drain("shutdown")
    await asyncio.wait_for(waiting, 1)
    assert dropped == [(0, "shutdown"), (1, "shutdown")]
    assert await backlog.take(1) is None
