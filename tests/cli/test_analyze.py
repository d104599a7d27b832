"""`framegraph analyze` as users run it: a subprocess, against a real `framegraph serve`
(--no-stream: a pure analysis service) over HTTP (--url) and gRPC (--grpc), and locally;
the three give the same results, one line per image in the order given."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from ..rpc.conftest import TOKEN, Serve

ROOT = Path(__file__).resolve().parents[2]
IMAGES = sorted((ROOT / "samples" / "vtest").glob("*.jpg"))[:2]


def analyze(*args: str, token: str | None = TOKEN) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FRAMEGRAPH_TOKEN": token or ""}
    return subprocess.run(
        [sys.executable, "-m", "orchestrator", "analyze", *args],
        capture_output=True,
        timeout=60,
        cwd=ROOT,
        env=env,
    )


def lines(run: subprocess.CompletedProcess[bytes]) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in run.stdout.splitlines()]


@pytest.fixture(scope="module")
def service() -> Iterator[Serve]:
    server = Serve("--no-stream")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Two frames of the sample clip with a text file between them."""
    bad = tmp_path_factory.mktemp("images") / "notes.jpg"
    bad.write_bytes(b"this is text, not an image")
    return [str(IMAGES[0]), str(bad), str(IMAGES[1])]


@pytest.mark.parametrize("where", ["--url", "--grpc", "locally"])
def test_one_line_per_image_in_order(service: Serve, images: list[str], where: str) -> None:
    target = {"--url": ["--url", service.url], "--grpc": ["--grpc", service.target]}
    run = analyze(*images, "-f", "image.quality", *target.get(where, []))
    assert run.returncode == 1, run.stderr.decode()  # one image could not be analysed
    out = lines(run)
    assert [(e["type"], e["source"]) for e in out] == [
        ("result", images[0]),
        ("error", images[1]),
        ("result", images[2]),
    ]
    assert out[1]["error"]["code"] == "not_an_image"
    for event in (out[0], out[2]):
        assert event["image"] == {"format": "JPEG", "width": 768, "height": 576}
        assert set(event["features"]) == {"image.quality"} and event["errors"] == {}
    # the same computation wherever it runs (the values of the first sample frame)
    assert out[0]["features"]["image.quality"] == {
        "brightness": 0.4704,
        "contrast": 0.2053,
        "sharpness": 7888.5,
    }


@pytest.mark.parametrize("where", ["--url", "--grpc", "locally"])
def test_features_that_need_history_exit_2(service: Serve, where: str) -> None:
    target = {"--url": ["--url", service.url], "--grpc": ["--grpc", service.target]}
    run = analyze(str(IMAGES[0]), "-f", "motion", *target.get(where, []))
    assert run.returncode == 2 and run.stdout == b""
    if where == "locally":  # a usage error, before any image is read
        assert b"Error: motion needs earlier frames" in run.stderr
    else:  # the service's refusal, as it answered it
        failure = orjson.loads(run.stderr.splitlines()[-1])
        assert (failure["status"], failure["error"]) == (400, "needs_history")


def test_a_refused_token_exits_1_with_the_reason(service: Serve) -> None:
    for args in (["--url", service.url], ["--grpc", service.target]):
        run = analyze(str(IMAGES[0]), "-f", "image.quality", *args, token="wrong")
        assert run.returncode == 1 and run.stdout == b""
        failure = orjson.loads(run.stderr.splitlines()[-1])
        assert (failure["type"], failure["status"]) == ("failed", 401)
