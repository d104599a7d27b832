"""Helpers for integration tests: run a stream worker on real frames against a real Triton."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson

from orchestrator.features import default_catalog
from orchestrator.graph import resolve
from orchestrator.stream.pipeline import PipelineConfig
from orchestrator.stream.worker import Worker
from orchestrator.triton.client import TritonClient

ROOT = Path(__file__).resolve().parents[2]
FRAMEGRAPH = [sys.executable, "-m", "orchestrator"]


def lines_of(jpegs: list[bytes]) -> bytes:
    return b"".join(base64.b64encode(j) + b"\n" for j in jpegs)


async def run_worker(url: str, data: bytes, features: list[str]) -> tuple[list[dict], Worker]:
    """An in-process worker with a real Triton client: (events, worker)."""
    client = TritonClient(url)
    catalog = default_catalog()
    try:
        await client.check(catalog.models())
        worker = Worker(catalog, PipelineConfig(lossless=True), triton=client)
        wants = resolve(catalog, list(features))  # parameters and rates as clients name them
        sub = worker.hub.subscribe(wants, policy="backpressure")
        events: list[dict] = []

        async def read() -> None:
            while (msg := await sub.get()) is not None:
                events.append(orjson.loads(msg.data))

        reader = asyncio.create_task(read())
        await worker.run(io.BytesIO(data), handle_signals=False)
        await reader
        return events, worker
    finally:
        await client.close()


def framegraph(*args: str, stdin: bytes = b"", timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*FRAMEGRAPH, *args], input=stdin, capture_output=True, timeout=timeout, cwd=ROOT
    )


class LiveRun:
    """`framegraph run ARGS` fed by a thread, one line every `interval` seconds (cycling
    through `lines`) until `finish()`; its events are collected as they come."""

    def __init__(self, args: list[str], lines: list[bytes], interval: float = 0.05) -> None:
        self.proc = subprocess.Popen(
            [*FRAMEGRAPH, "run", *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
        )
        self.lines = lines
        self.interval = interval
        self.events: list[dict] = []
        self.sent = 0
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._writer = threading.Thread(target=self._write, daemon=True)
        self._reader.start()
        self._writer.start()

    def _read(self) -> None:
        for line in self.proc.stdout:  # type: ignore[union-attr]
            self.events.append(orjson.loads(line))

    def _write(self) -> None:
        stdin = self.proc.stdin
        assert stdin is not None
        with contextlib.suppress(BrokenPipeError, ValueError):
            while not self._stop.is_set():
                stdin.write(base64.b64encode(self.lines[self.sent % len(self.lines)]) + b"\n")
                stdin.flush()
                self.sent += 1
                time.sleep(self.interval)

    def wait_for_events(self, count: int, timeout: float = 60) -> None:
        """Until at least `count` events came out (AssertionError after `timeout`)."""
        deadline = time.monotonic() + timeout
        while len(self.events) < count:
            assert time.monotonic() < deadline, f"{len(self.events)} events, wanted {count}"
            assert self.proc.poll() is None, self.proc.stderr.read().decode()  # type: ignore[union-attr]
            time.sleep(0.05)

    def finish(self, timeout: float = 120) -> str:
        """Stop feeding, close stdin, wait for the exit (status 0); its stderr."""
        self._stop.set()
        self._writer.join(timeout=10)
        self.proc.stdin.close()  # type: ignore[union-attr]
        try:
            code = self.proc.wait(timeout=timeout)
        finally:
            self.kill()
        self._reader.join(timeout=10)
        err = self.proc.stderr.read().decode()  # type: ignore[union-attr]
        assert code == 0, err
        return err

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
