"""Running the API and the stream together in one event loop: `framegraph serve`'s engine.

    runner = Runner(service, sys.stdin.buffer, host="0.0.0.0", port=8080)
    await runner.start()      # listening; then the stream starts
    await runner.wait()       # until end of input (+ linger) or stop()

Order matters: the server listens before the first line is read, so early clients miss
nothing they could have had. At end of input every subscription ends with an `end`
event ("end of stream"); the API stays up `linger` seconds more (for a last scrape of
/metrics, say) and then stops. `stop()` (SIGINT/SIGTERM) ends subscriptions with
"shutdown", stops reading, lets frames in flight finish, and stops the server.

Without a stream (`stream=None`, `serve --no-stream`) the API serves until `stop()`. At end
of input, subscriptions whose connection was lost get their grace period to come back for
their last events (and `end`) before the server stops.

Signals are ours, not uvicorn's: uvicorn's handler would only stop the server and, after
it returns, re-raise the signal; we need the stream and its subscribers to end cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import signal
import socket
import time
from collections.abc import Iterator
from typing import BinaryIO

import uvicorn

from orchestrator.delivery.subscriber import SHUTDOWN
from orchestrator.http.app import create_app
from orchestrator.http.service import Service

GRACE = 5.0  # seconds for clients to get their last events at shutdown


class _ExpectedByDesign(logging.Filter):
    """Drops two uvicorn errors that our deliberate paths cause, and nothing else:
    - refusing a WebSocket with an HTTP answer (401, 400, 503) completes no handshake by
      design (uvicorn's sans-I/O protocol still reports it);
    - a client cut off for accepting nothing cannot be sent the end of its response
      (the SSE endpoint logs its own warning for it)."""

    MESSAGES = frozenset(
        {
            "ASGI callable returned without completing handshake.",
            "ASGI callable returned without completing response.",
        }
    )

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg not in self.MESSAGES


def _quiet_uvicorn() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _ExpectedByDesign) for f in logger.filters):
        logger.addFilter(_ExpectedByDesign())


class _Server(uvicorn.Server):
    """uvicorn's server, minus its signal handling (see the module docstring)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class Runner:
    def __init__(
        self,
        service: Service,
        stream: BinaryIO | None,
        *,
        host: str = "127.0.0.1",
        port: int = 8080,
        linger: float = 0.0,
        log_level: str = "info",
        access_log: bool = True,
    ) -> None:
        self.service = service
        self.stream = stream
        self.linger = linger
        settings = service.settings
        config = uvicorn.Config(
            create_app(service),
            host=host,
            port=port,
            lifespan="off",
            log_level=log_level,
            access_log=access_log,
            ws_max_size=settings.max_message_bytes,
            ws_ping_interval=settings.heartbeat,
            ws_ping_timeout=settings.heartbeat,
            timeout_graceful_shutdown=int(GRACE),
            server_header=False,
            # Events are small JSON encoded once per subset; compressing them again for
            # every socket would cost CPU per client for little bandwidth.
            ws_per_message_deflate=False,
        )
        self.server = _Server(config)
        _quiet_uvicorn()
        self.port = port
        self.stopping = False
        self._serving: asyncio.Task[None] | None = None
        self._streaming: asyncio.Task[None] | None = None
        self._watching: asyncio.Task[None] | None = None  # readiness, for the metric

    async def start(self, sockets: list[socket.socket] | None = None) -> None:
        """Listen (on `sockets` if given, else on host:port; raising if that cannot be
        bound), then start reading the stream."""
        self._serving = asyncio.create_task(self.server.serve(sockets))
        while not self.server.started:
            if self._serving.done():
                with contextlib.suppress(BaseException):
                    self._serving.result()
                cfg = self.server.config
                raise OSError(f"cannot listen on {cfg.host}:{cfg.port}")
            await asyncio.sleep(0.01)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        self._streaming = asyncio.create_task(self._stream())
        self._watching = asyncio.create_task(self.service.ready.watch())

    async def _stream(self) -> None:
        try:
            if self.stream is None:
                await self._stopped()
            else:
                await self.service.worker.run(self.stream, handle_signals=False)
        finally:
            if not self.stopping and self.linger > 0:
                delay = None if math.isinf(self.linger) else self.linger
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._stopped(), delay)
            self.service.closing.set()
            await self._flushed()
            self.server.should_exit = True

    async def _stopped(self) -> None:
        while not self.stopping:
            await asyncio.sleep(0.1)

    async def _flushed(self) -> None:
        """Wait (a little) until every event stream and socket has sent its `end` event:
        uvicorn's shutdown would otherwise close WebSockets (1012) before they could."""
        deadline = time.monotonic() + min(GRACE, self.service.settings.send_timeout)
        while self.service.connections and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        resumer = self.service.resumer
        if not self.stopping and resumer.detached:  # lost connections may come back for `end`
            deadline = time.monotonic() + resumer.grace
            while resumer.detached and time.monotonic() < deadline and not self.stopping:
                await asyncio.sleep(0.05)
            while self.service.connections and time.monotonic() < deadline + GRACE:
                await asyncio.sleep(0.02)

    def stop(self) -> None:
        """End every subscription ("shutdown"), stop reading; once the frames in flight are
        out and clients have their `end`, the server stops. A second call stops it now."""
        if self.stopping:
            self.server.should_exit = self.server.force_exit = True
            return
        self.stopping = True
        self.service.hub.close("server shutting down", SHUTDOWN)
        self.service.resumer.close()
        self.service.closing.set()
        self.service.worker.pipeline.stop()
        if self._streaming is None or self._streaming.done():
            self.server.should_exit = True
        else:  # should frames in flight hang (a remote model, say), stop serving anyway
            asyncio.get_running_loop().call_later(2 * GRACE, self._give_up)

    def _give_up(self) -> None:
        self.server.should_exit = True

    async def wait(self) -> None:
        assert self._serving is not None and self._streaming is not None
        try:
            await self._serving
            if not self.stopping:  # the server stopped on its own (an error): stop the stream
                self.stop()
            await self._streaming
        finally:
            if self._watching is not None:
                self._watching.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._watching

    @contextlib.contextmanager
    def signals(self) -> Iterator[None]:
        """SIGINT/SIGTERM call `stop()` while inside."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.stop)
        try:
            yield
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
