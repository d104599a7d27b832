"""A real server in the current event loop, fed through a pipe: for tests and notebooks.

    async with LiveServer(Settings(token="t")) as live:
        ...  # connect any HTTP / SSE / WebSocket client to live.url
        await live.feed(lines)         # base64 image lines, as stdin would carry them
        live.end_input()               # EOF: subscriptions end with "end of stream"

Everything is the production path (uvicorn on a loopback port, the worker reading a file
object in its reader thread); only stdin is a pipe owned by the caller.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import socket
import time
from collections.abc import Iterable
from typing import Any

from orchestrator.delivery.hub import Hub
from orchestrator.http.server import Runner
from orchestrator.http.service import Service
from orchestrator.http.settings import Settings
from orchestrator.stream.pipeline import PipelineConfig
from orchestrator.stream.worker import Worker
from orchestrator.telemetry import Telemetry


def synthetic_lines(n: int, size: tuple[int, int] = (48, 64), seed: int = 0) -> list[bytes]:
    """`n` small JPEG frames as stdin lines: noise and a moving bar (so motion sees motion);
    cheap to decode, so tests can push hundreds of frames a second."""
    import cv2
    import numpy as np

    rng = np.random.default_rng(seed)
    h, w = size
    out = []
    for i in range(n):
        img = rng.integers(0, 40, (h, w, 3), dtype=np.uint8)
        x = (i * 3) % w
        img[:, x : x + 6] = 255
        ok, buf = cv2.imencode(".jpg", img)
        assert ok
        out.append(base64.b64encode(buf.tobytes()))
    return out


class LiveServer:
    def __init__(
        self,
        settings: Settings | None = None,
        config: PipelineConfig | None = None,
        *,
        sndbuf: int | None = None,
        linger: float = 0.0,
        **worker: Any,
    ) -> None:
        """`sndbuf`: the server's socket send buffer in bytes, small to make a client that
        stops reading stall the server's writes after a few events rather than megabytes."""
        settings = settings or Settings()
        if "catalog" not in worker:
            from orchestrator.features import default_catalog

            worker["catalog"] = default_catalog()
        self.worker = Worker(config=config or PipelineConfig(), **worker)
        self.service = Service(self.worker, settings)
        read_fd, self._write_fd = os.pipe()
        self._stdin = os.fdopen(read_fd, "rb")
        self.runner = Runner(
            self.service, self._stdin, port=0, linger=linger, log_level="warning", access_log=False
        )
        self.url = ""
        self._sndbuf = sndbuf

    @property
    def telemetry(self) -> Telemetry:
        return self.worker.telemetry

    @property
    def hub(self) -> Hub:
        return self.worker.hub

    async def __aenter__(self) -> LiveServer:
        # proto=IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted sockets only then
        # (without it every small response waits ~40 ms for a delayed ACK).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self._sndbuf:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self._sndbuf)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        await self.runner.start([sock])
        self.url = f"http://127.0.0.1:{self.runner.port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.end_input()
        self.runner.stop()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.runner.wait(), 10)
        self._stdin.close()

    async def feed(self, lines: Iterable[bytes], fps: float | None = None) -> None:
        """Write lines to the worker's stdin (in a thread: a full pipe blocks), paced at `fps`."""
        await asyncio.to_thread(self._write, list(lines), fps)

    def _write(self, lines: list[bytes], fps: float | None) -> None:
        start = time.perf_counter()
        for i, line in enumerate(lines):
            if fps:
                delay = start + i / fps - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            view = memoryview(line.rstrip(b"\n") + b"\n")
            while view:
                view = view[os.write(self._write_fd, view) :]

    def end_input(self) -> None:
        if self._write_fd >= 0:
            os.close(self._write_fd)
            self._write_fd = -1

    async def frames_done(self, count: int, timeout: float = 10.0) -> None:
        """Wait until `count` input lines have their outcome handed out."""
        deadline = time.monotonic() + timeout
        t = self.telemetry
        while True:
            done = (
                t.value("framegraph_frames_completed_total")
                + sum(t.by_label("framegraph_frames_dropped_total", "reason").values())
                + sum(t.by_label("framegraph_frames_failed_total", "reason").values())
            )
            if done >= count:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{done:g} of {count} frames done after {timeout} s")
            await asyncio.sleep(0.01)
