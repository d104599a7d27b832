"""What the browser tests drive: `framegraph serve` in a subprocess fed through a pipe, and
waits on the page and the server.

`wait_js(page, expression)` polls the page: the viewer's Content-Security-Policy forbids
the string evaluation that Playwright's own `wait_for_function` relies on.
"""

from __future__ import annotations

import base64
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
FRAMEGRAPH = str(Path(sys.executable).with_name("framegraph"))


def clip_lines(name: str) -> list[bytes]:
    """A sample clip's frames as stdin lines (base64, no newline)."""
    frames = sorted((ROOT / "samples" / name).glob("*.jpg"))
    return [base64.b64encode(p.read_bytes()) for p in frames]


def vtest_lines() -> list[bytes]:
    return clip_lines("vtest")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Serve:
    """`framegraph serve` in a subprocess; its stdin is ours."""

    def __init__(self, *args: str, token: str | None = None, port: int = 0) -> None:
        """`port` 0: any free port (the server prints it); else that one."""
        env = {k: v for k, v in os.environ.items() if k != "FRAMEGRAPH_TOKEN"}
        cmd = [FRAMEGRAPH, "serve", "--port", str(port), "--log-level", "warning"]
        self.proc = subprocess.Popen(
            [*cmd, "--linger", "inf", *(["--token", token] if token else []), *args],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=ROOT,
        )
        assert self.proc.stderr is not None and self.proc.stdin is not None
        self.stdin = self.proc.stdin
        self.log: list[str] = []
        if port:
            self.url = f"http://127.0.0.1:{port}"
        else:
            for raw in self.proc.stderr:  # "framegraph: listening on http://127.0.0.1:PORT"
                self.log.append(raw.decode(errors="replace"))
                if m := re.search(rb"listening on (http://\S+)", raw):
                    self.url = m.group(1).decode()
                    break
            else:
                raise AssertionError(f"serve exited with {self.proc.wait()}: {''.join(self.log)}")
        threading.Thread(target=self._drain, daemon=True).start()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(base_url=self.url, headers=headers, timeout=10)
        self._feeding = threading.Event()
        self._feeder: threading.Thread | None = None
        if port:
            wait_for(self._answers, timeout=60)

    def _answers(self) -> bool:
        assert self.proc.poll() is None, f"serve exited: {''.join(self.log)}"
        try:
            return self.http.get("/healthz").status_code == 200
        except httpx.TransportError:
            return False

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            self.log.append(raw.decode(errors="replace"))

    def feed(self, lines: list[bytes], fps: float = 10, loop: bool = False) -> None:
        """Write `lines` to stdin in a thread, paced at `fps` (for ever with `loop`,
        until `stop_feeding()`)."""
        self._feeding.set()

        def write() -> None:
            i = 0
            start = time.monotonic()
            while self._feeding.is_set() and (loop or i < len(lines)):
                delay = start + i / fps - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                try:
                    self.stdin.write(lines[i % len(lines)] + b"\n")
                    self.stdin.flush()
                except (BrokenPipeError, ValueError):
                    return
                i += 1

        self._feeder = threading.Thread(target=write, daemon=True)
        self._feeder.start()

    def stop_feeding(self) -> None:
        self._feeding.clear()
        if self._feeder is not None:
            self._feeder.join(10)

    def end_input(self) -> None:
        if self._feeder is not None:
            self._feeder.join(60)
        self.stop_feeding()
        self.stdin.close()

    def plan(self) -> dict[str, Any]:
        return self.http.get("/plan").json()

    def metrics(self) -> dict[tuple[str, str], float]:
        """{(sample name, its `feature` label or ""): value} from GET /metrics."""
        out: dict[tuple[str, str], float] = {}
        for family in text_string_to_metric_families(self.http.get("/metrics").text):
            for s in family.samples:
                out[(s.name, s.labels.get("feature", ""))] = s.value
        return out

    def computed(self, feature: str) -> float:
        return self.metrics().get(("framegraph_feature_computations_total", feature), 0.0)

    def kill(self) -> None:
        """Die at once, as a crash would: connections drop without a goodbye."""
        self.stop_feeding()
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        self.stop_feeding()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.http.close()


def wait_js(page: Any, expression: str, timeout: float = 60) -> Any:
    """Poll `expression` in the page until it is truthy; its value."""
    deadline = time.monotonic() + timeout
    while not (value := page.evaluate(expression)):
        if time.monotonic() > deadline:
            state = page.evaluate("window.framegraph && [framegraph.state, framegraph.detail]")
            raise AssertionError(f"not true after {timeout} s: {expression} (viewer: {state})")
        time.sleep(0.1)
    return value


def wait_for(check: Callable[[], Any], timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)
    return value
