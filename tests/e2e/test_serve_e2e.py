"""`framegraph encode clip | framegraph serve` with `framegraph watch` clients, all real processes.

The server is a subprocess listening on a free loopback port, its stdin fed by a real
`framegraph encode` of the sample clip; clients are `framegraph watch` over SSE and over
a WebSocket, plus an httpx-sse client; /metrics is checked with Prometheus' promtool.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from httpx_sse import connect_sse

ROOT = Path(__file__).resolve().parents[2]
FRAMEGRAPH = str(Path(sys.executable).with_name("framegraph"))
TOKEN = "e2e-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ENV = {**os.environ, "FRAMEGRAPH_TOKEN": TOKEN}
FRAMES = len(list((ROOT / "samples" / "vtest").glob("*.jpg")))


class Serve:
    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [FRAMEGRAPH, "serve", "--port", "0", "--log-level", "warning", *args],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=ENV,
            cwd=ROOT,
        )
        assert self.proc.stderr is not None
        deadline = time.monotonic() + 30
        for raw in self.proc.stderr:  # "framegraph: listening on http://127.0.0.1:PORT"
            if m := re.search(rb"listening on (http://\S+)", raw):
                self.url = m.group(1).decode()
                break
            assert time.monotonic() < deadline, "serve did not start"
        else:
            raise AssertionError(f"serve exited with {self.proc.wait()}")
        self.http = httpx.Client(base_url=self.url, headers=AUTH, timeout=10)

    def wait_for(self, check, timeout: float = 15) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while not check():
            assert time.monotonic() < deadline, "condition not met in time"
            time.sleep(0.02)

    def subscribers(self) -> int:
        return self.http.get("/plan").json()["subscribers"]

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(10)
        finally:
            self.http.close()


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


def watch(url: str, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [FRAMEGRAPH, "watch", url, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV
    )


def events_of(proc: subprocess.Popen[bytes]) -> list[dict]:
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err.decode()
    return [orjson.loads(line) for line in out.splitlines()]


def test_encode_serve_and_two_watchers_on_different_subsets(serve) -> None:
    server = serve("--linger", "inf", "--heartbeat", "1")
    assert server.http.get("/healthz").status_code == 200
    server.wait_for(lambda: server.http.get("/readyz").status_code == 200)
    assert httpx.get(f"{server.url}/features").status_code == 401  # the token is required

    a = watch(server.url, "--features", "image.quality,motion")
    b = watch(server.url, "--features", "motion,scene.cut", "--ws")
    server.wait_for(lambda: server.subscribers() == 2)
    with (
        httpx.Client(headers=AUTH, timeout=httpx.Timeout(10, read=30)) as client,
        connect_sse(
            client, "GET", f"{server.url}/events", params={"features": "scene.cut"}
        ) as source,
    ):
        server.wait_for(lambda: server.subscribers() == 3)
        encode = subprocess.Popen(
            [FRAMEGRAPH, "encode", "samples/vtest", "--fps", "20"],
            stdout=server.proc.stdin,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
        )
        assert encode.wait(30) == 0
        server.proc.stdin.close()  # type: ignore[union-attr]
        raw = [(e.event, e.id, orjson.loads(e.data)) for e in source.iter_sse() if e.data]

    ea, eb = events_of(a), events_of(b)
    for events, subset in ((ea, {"image.quality", "motion"}), (eb, {"motion", "scene.cut"})):
        assert events[0]["type"] == "subscribed" and events[-1]["code"] == "end_of_stream"
        results = [e for e in events if e["type"] == "result"]
        assert [r["frame"] for r in results] == list(range(FRAMES))
        assert all(set(r["features"]) == subset and not r["errors"] for r in results)
    assert [e["features"]["motion"] for e in ea if e["type"] == "result"] == [
        e["features"]["motion"] for e in eb if e["type"] == "result"
    ]
    kinds = [k for k, _, _ in raw]
    assert kinds == ["subscribed"] + ["result"] * FRAMES + ["end"]
    assert [i for k, i, _ in raw if k == "result"] == [str(n) for n in range(FRAMES)]

    # The stream is over; the API lingers: not ready, metrics final, and promtool-clean.
    assert server.http.get("/readyz").status_code == 503
    metrics = server.http.get("/metrics").text
    for sample, value in {
        'framegraph_feature_computations_total{feature="motion"}': FRAMES,
        'framegraph_feature_computations_total{feature="image.small"}': FRAMES,
        'framegraph_feature_deliveries_total{feature="motion"}': 2 * FRAMES,
        'framegraph_feature_deliveries_total{feature="scene.cut"}': 2 * FRAMES,
        "framegraph_frames_received_total": FRAMES,
        "framegraph_frames_completed_total": FRAMES,
        "framegraph_frame_latency_seconds_count": FRAMES,
    }.items():
        assert f"{sample} {float(value)}" in metrics, sample
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool not installed (scripts/test-setup installs it)")
    lint = subprocess.run(
        [promtool, "check", "metrics"], input=metrics.encode(), capture_output=True, check=False
    )
    assert lint.returncode == 0, (lint.stdout + lint.stderr).decode()
    assert server.stop() == 0


def test_sigterm_ends_every_subscription_with_a_reason(serve) -> None:
    server = serve()
    a = watch(server.url, "-f", "motion")
    b = watch(server.url, "-f", "image.quality", "--ws")
    server.wait_for(lambda: server.subscribers() == 2)
    started = time.monotonic()
    assert server.stop() == 0
    assert time.monotonic() - started < 5
    for proc in (a, b):
        events = events_of(proc)
        assert events[-1]["type"] == "end" and events[-1]["code"] == "shutdown"


@pytest.mark.triton
def test_a_neural_subscriber_arriving_does_not_stall_cpu_only_ones(serve, vtest_jpegs) -> None:
    """The first `persons` client makes serve start the embedded Triton (seconds): meanwhile
    the motion client gets every frame on time, and `persons` says it is starting."""
    pytest.importorskip("pytriton")
    import base64
    import threading

    fps, frames = 10.0, 120
    lines = [base64.b64encode(vtest_jpegs[i % len(vtest_jpegs)]) + b"\n" for i in range(frames)]
    server = serve("--linger", "2", "--queue", "512", "--max-queue", "512")
    got: dict[str, list[tuple[float, dict]]] = {"motion": [], "persons": []}

    def client(name: str) -> None:
        with (
            httpx.Client(headers=AUTH, timeout=httpx.Timeout(10, read=60)) as http,
            connect_sse(
                http, "GET", f"{server.url}/events", params={"features": name, "policy": "lossless"}
            ) as source,
        ):
            for e in source.iter_sse():
                if e.data:
                    got[name].append((time.monotonic(), orjson.loads(e.data)))

    def feed() -> None:
        begun = time.monotonic()
        for i, line in enumerate(lines):
            time.sleep(max(0.0, begun + i / fps - time.monotonic()))
            server.proc.stdin.write(line)  # type: ignore[union-attr]
            server.proc.stdin.flush()  # type: ignore[union-attr]
        server.proc.stdin.close()  # type: ignore[union-attr]

    readers = [threading.Thread(target=client, args=("motion",), daemon=True)]
    readers[0].start()
    server.wait_for(lambda: server.subscribers() == 1)
    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    time.sleep(2.0)  # 20 frames in, the neural client arrives
    readers.append(threading.Thread(target=client, args=("persons",), daemon=True))
    readers[1].start()
    feeder.join(60)
    for r in readers:
        r.join(90)

    motion = [(t, e) for t, e in got["motion"] if e["type"] in ("result", "dropped")]
    assert [e["type"] for _, e in motion] == ["result"] * frames  # no drops, every frame
    gaps = [b - a for (a, _), (b, _) in itertools.pairwise(motion)]
    assert max(gaps) < 3 / fps, max(gaps)  # Triton's start-up (seconds) never held it up
    persons = [e for _, e in got["persons"] if e["type"] == "result"]
    starting = [e for e in persons if "persons" not in e["features"]]
    assert starting and all("Triton is starting" in e["errors"]["persons"] for e in starting)
    assert persons[-1]["features"]["persons"]["count"] >= 1  # then real results
    assert server.stop() == 0
