"""`make demo`'s pipeline, as the Makefile runs it: a camera-paced clip into a worker that
starts its own embedded Triton. Every frame is analysed: none is dropped while the worker
gets ready (the paced source starts its clock when the worker takes the first frame)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from .streams import FRAMEGRAPH, ROOT

pytestmark = [pytest.mark.triton, pytest.mark.slow]


def make_variable(name: str) -> str:
    match = re.search(rf"^{name} \?= (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert match, f"{name} not in the Makefile"
    return match.group(1)


def test_the_demo_shows_every_frame(tmp_path: Path) -> None:
    stats = tmp_path / "demo-stats.json"
    encode = subprocess.Popen(
        [*FRAMEGRAPH, "encode", "samples/vtest", "--fps", make_variable("FPS")],
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    run = subprocess.run(
        [*FRAMEGRAPH, "run", "--features", make_variable("FEATURES"), "--stats", str(stats)],
        stdin=encode.stdout,
        capture_output=True,
        cwd=ROOT,
        timeout=180,
    )
    encode.stdout.close()  # type: ignore[union-attr]
    assert encode.wait(timeout=30) == 0
    assert run.returncode == 0, run.stderr.decode()
    events = [json.loads(line) for line in run.stdout.splitlines()]
    frames = len(list((ROOT / "samples/vtest").glob("*.jpg")))
    assert [e["type"] for e in events] == ["result"] * frames
    assert json.loads(stats.read_text())["frames"]["dropped"] == {}
