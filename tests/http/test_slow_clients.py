"""Slow and stuck clients cost only themselves: the fast client's latency stays low.

A stalled client here is a real TCP client that sends its request and never reads, with
a small receive buffer; the server's send buffer is small too (`sndbuf`), so its writes
stall after a few hundred events instead of megabytes.
"""

from __future__ import annotations

import asyncio
import socket
import statistics

import pytest

from orchestrator.http import Settings

FEATURES = "image.quality,motion,scene.cut"
FRAMES = 500
FPS = 250.0


WS_UPGRADE = (
    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
)


def stalled_client(port: int, query: str, path: str = "/events") -> socket.socket:
    """A client that sends its request (SSE, or a WebSocket upgrade) and never reads."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    sock.connect(("127.0.0.1", port))
    upgrade = WS_UPGRADE if path == "/ws" else ""
    sock.sendall(f"GET {path}?{query} HTTP/1.1\r\nHost: test\r\n{upgrade}\r\n".encode())
    return sock


def read_until(sock: socket.socket, marker: bytes, timeout: float = 5.0) -> bytes:
    """Read what the server sends until `marker` shows up (or the connection ends)."""
    sock.settimeout(timeout)
    data = b""
    while marker not in data and (chunk := sock.recv(65536)):
        data += chunk
    return data


def latency_ms(stream) -> list[float]:  # type: ignore[no-untyped-def]
    """Stdin arrival (the event's wall-clock `ts`) to receipt by the client, per frame."""
    return [(t - d["ts"]) * 1000 for kind, d, t in stream.events if kind == "result"]


async def test_a_stalled_client_does_not_delay_a_fast_one(start, sse, until, tiny) -> None:
    live = await start(Settings(grace=0), sndbuf=4096)  # no grace: released at disconnect
    fast = sse(live.url).open(features=FEATURES)
    await fast.subscribed()
    stalled = stalled_client(live.runner.port, f"features={FEATURES}&queue=8")
    await until(lambda: len(live.hub) == 2)
    slow_sub = next(s for s in live.hub if s.maxsize == 8)
    await live.feed(tiny(FRAMES), fps=FPS)
    await live.frames_done(FRAMES)
    await until(lambda: len(fast.results()) == FRAMES)

    assert slow_sub.dropped > FRAMES // 4  # it really was stalled, and lost events
    drops = live.telemetry.value("framegraph_subscriber_drops_total", {"policy": "latest"})
    assert drops == slow_sub.dropped
    # the fast client got every frame, in order, and never a `dropped` event
    assert [r["frame"] for r in fast.results()] == list(range(FRAMES))
    assert "dropped" not in fast.kinds()
    # ... promptly, also while the other one was stalled (the second half of the stream)
    lat = latency_ms(fast)
    stalled_half = sorted(lat[FRAMES // 2 :])
    p50 = statistics.median(stalled_half)
    p95 = stalled_half[int(0.95 * len(stalled_half))]
    print(
        f"fast client latency with a stalled one: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
        f"max {max(stalled_half):.1f} ms; stalled client dropped {slow_sub.dropped}"
    )
    assert p50 < 50 and p95 < 150

    stalled.close()  # disconnect releases the stalled subscription
    await until(lambda: len(live.hub) == 1)
    assert live.telemetry.value("framegraph_subscribers", {"policy": "latest"}) == 1


async def test_a_stalled_lossless_client_is_cut_off_with_a_reason(start, sse, until, tiny) -> None:
    live = await start(sndbuf=4096)
    fast = sse(live.url).open(features="motion")
    await fast.subscribed()
    stalled = stalled_client(live.runner.port, "features=motion&policy=lossless&queue=4")
    await until(lambda: len(live.hub) == 2)
    await live.feed(tiny(FRAMES), fps=FPS * 2)
    await live.frames_done(FRAMES)
    await until(lambda: len(live.hub) == 1)  # cut off, released
    t = live.telemetry
    assert t.value("framegraph_subscriber_drops_total", {"policy": "lossless"}) == 1
    assert t.value("framegraph_subscribers", {"policy": "lossless"}) == 0
    assert {k.id for k in live.hub.requested()} == {"motion"}
    # what it had queued is still delivered, then `end` says why
    tail = await asyncio.to_thread(read_until, stalled, b'"code":"too_slow"')
    assert b"event: end" in tail and b'"code":"too_slow"' in tail
    stalled.close()
    await until(lambda: len(fast.results()) == FRAMES)


@pytest.mark.parametrize(
    ("path", "policy"), [("/events", "latest"), ("/events", "lossless"), ("/ws", "latest")]
)
async def test_a_stuck_client_is_cut_off_after_the_send_timeout(
    start, until, tiny, path, policy
) -> None:
    live = await start(Settings(send_timeout=0.3, queue=1024, grace=0), sndbuf=4096)
    stuck = stalled_client(live.runner.port, f"features={FEATURES}&policy={policy}", path)
    await until(lambda: len(live.hub) == 1)
    await live.feed(tiny(FRAMES), fps=1000)
    await until(lambda: len(live.hub) == 0, timeout=5)
    assert live.telemetry.value("framegraph_subscribers", {"policy": policy}) == 0
    stuck.close()
