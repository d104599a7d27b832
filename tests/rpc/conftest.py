"""A real `framegraph serve --grpc-port 0` per test (or module), and gRPC channels to it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

# In-process servers (LiveServer) for the tests that drive a GrpcServer themselves.
from ..http.conftest import start, tiny, until

__all__ = ["start", "tiny", "until"]

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "rpc-test-token"
AUTH = (("authorization", f"Bearer {TOKEN}"),)


class Serve:
    """`framegraph serve` on loopback ports (HTTP and gRPC), stdin a pipe we write frames to."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "FRAMEGRAPH_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "orchestrator",
                "serve",
                "--port",
                "0",
                "--grpc-port",
                "0",
                "--log-level",
                "warning",
                *args,
            ],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=ROOT,
        )
        assert self.proc.stderr is not None
        self.target = self.url = ""
        deadline = time.monotonic() + 60
        for raw in self.proc.stderr:
            if m := re.search(rb"gRPC listening on (\S+)", raw):
                self.target = m.group(1).decode()
            if m := re.search(rb"listening on (http://\S+)", raw):
                self.url = m.group(1).decode()
                break
            assert time.monotonic() < deadline, "serve did not start"
        else:
            raise AssertionError(f"serve exited with {self.proc.wait()}")
        assert self.target, "no gRPC port printed"

    def feed(self, lines: list[bytes]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"".join(line + b"\n" for line in lines))
        self.proc.stdin.flush()

    def end_input(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(15)


@pytest.fixture
def serve() -> Iterator[type[Serve]]:
    started: list[Serve] = []

    def start(*args: str) -> Serve:
        started.append(Serve(*args))
        return started[-1]

    yield start  # type: ignore[misc]
    for s in started:
        if s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()


@pytest.fixture(scope="module")
def shared_serve() -> Iterator[Serve]:
    """One server for tests that only ask (catalog, plans, health, reflection, auth)."""
    server = Serve("--linger", "inf", "--features", "image.quality")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def channel(shared_serve: Serve) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(shared_serve.target) as ch:
        yield ch
