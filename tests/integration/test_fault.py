"""Triton lost mid-stream and restarted: every line keeps exactly one outcome, results resume;
with retries, no frame whose deadline allows the wait loses its feature."""

from __future__ import annotations

import base64
import json
import subprocess
import threading
import time
from pathlib import Path

import pytest

from orchestrator.triton.embedded import EmbeddedTriton, free_ports

from .streams import FRAMEGRAPH, ROOT, LiveRun

pytestmark = [pytest.mark.triton, pytest.mark.slow]


def test_server_stopped_and_restarted_mid_stream_without_retries(vtest_jpegs) -> None:
    http, grpc, metrics = free_ports(3)

    def server() -> EmbeddedTriton:
        return EmbeddedTriton(
            models=["persons"], http_port=http, grpc_port=grpc, metrics_port=metrics
        ).start()

    first = server()
    proc = subprocess.Popen(
        [*FRAMEGRAPH, "run", "-f", "persons,image.quality", "--triton-url", first.grpc_url,
         "--lossless", "--retry-within", "0"],  # no retries: frames fail while it is down
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
    )
    events: list[dict] = []

    def read() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            events.append(json.loads(line))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    lines = [base64.b64encode(j) + b"\n" for j in vtest_jpegs]
    sent = 0

    def feed(n: int) -> None:
        nonlocal sent
        for _ in range(n):
            proc.stdin.write(lines[sent % len(lines)])  # type: ignore[union-attr]
            proc.stdin.flush()  # type: ignore[union-attr]
            sent += 1
            time.sleep(0.05)

    restarted = None
    try:
        feed(10)
        first.stop()  # the server goes away mid-stream
        feed(15)
        restarted = server()  # and comes back on the same ports
        resumed_after = sent
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            feed(5)
            if any(e["frame"] >= resumed_after and "persons" in e["features"] for e in events):
                break
        feed(5)
        proc.stdin.close()  # type: ignore[union-attr]
        assert proc.wait(timeout=60) == 0, proc.stderr.read()  # type: ignore[union-attr]
        reader.join(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        first.stop()
        if restarted:
            restarted.stop()

    assert [e["frame"] for e in events] == list(range(sent))  # exactly one outcome per line
    assert all(e["type"] == "result" for e in events)
    assert all("image.quality" in e["features"] for e in events)  # the CPU feature never stopped
    failed = [e for e in events if "persons" in e["errors"]]
    assert failed and all("persons" in e["errors"]["persons"] for e in failed)  # names the model
    assert "persons" in events[0]["features"]
    assert "persons" in events[-1]["features"]  # results resumed after the restart


def test_with_retries_a_restart_loses_no_frame_whose_deadline_allows_the_wait(
    vtest_jpegs, tmp_path: Path
) -> None:
    http, grpc, metrics = free_ports(3)

    def server() -> EmbeddedTriton:
        return EmbeddedTriton(
            models=["persons"], http_port=http, grpc_port=grpc, metrics_port=metrics
        ).start()

    first = server()
    stats = tmp_path / "stats.json"
    run = LiveRun(
        ["-f", "persons,image.quality", "--triton-url", first.grpc_url, "--lossless",
         "--retry-within", "60", "--stats", str(stats)],
        vtest_jpegs,
    )
    restarted = None
    try:
        run.wait_for_events(10)
        first.stop()  # gone mid-stream: frames in flight and arriving wait for it
        time.sleep(1.0)
        restarted = server()  # back on the same ports, a minute within the frames' deadline
        run.wait_for_events(run.sent + 5)  # frames sent before and during the outage came out
        run.finish()
    finally:
        run.kill()
        first.stop()
        if restarted:
            restarted.stop()

    events = run.events
    assert [e["frame"] for e in events] == list(range(run.sent))
    failed = [e for e in events if e["type"] != "result" or e["errors"]]
    assert failed == [], [e.get("errors") or e for e in failed[:3]]
    assert all({"persons", "image.quality"} <= set(e["features"]) for e in events)
    triton = json.loads(stats.read_text())["triton"]
    assert triton["reconnects"] >= 1 and triton["retries"].get("unavailable", 0) >= 1
