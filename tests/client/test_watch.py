"""`framegraph watch` as users run it: a subprocess printing JSON lines from a live server."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import orjson

from orchestrator.http.testing import synthetic_lines

FRAMEGRAPH = str(Path(sys.executable).with_name("framegraph"))


async def watch(live, token: str | None, *args: str) -> asyncio.subprocess.Process:  # type: ignore[no-untyped-def]
    env = {**os.environ, "FRAMEGRAPH_TOKEN": token or ""}
    return await asyncio.create_subprocess_exec(
        FRAMEGRAPH,
        "watch",
        live.url,
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def until_subscribers(live, n: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(500):
        if len(live.hub) >= n:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{len(live.hub)} subscribers, expected {n}")


async def test_two_watchers_on_different_subsets(live, token) -> None:
    sse = await watch(live, token, "--features", "motion")
    ws = await watch(live, token, "-f", "image.quality", "-f", "scene.cut", "--ws")
    await until_subscribers(live, 2)
    await live.feed(synthetic_lines(4))
    live.end_input()
    for proc, subset in ((sse, {"motion"}), (ws, {"image.quality", "scene.cut"})):
        out, err = await asyncio.wait_for(proc.communicate(), 20)
        assert proc.returncode == 0, err.decode()
        events = [orjson.loads(line) for line in out.splitlines()]
        assert [e["type"] for e in events] == ["subscribed"] + ["result"] * 4 + ["end"]
        assert all(set(e["features"]) == subset for e in events[1:-1])
        assert [e["frame"] for e in events[1:-1]] == [0, 1, 2, 3]


async def test_count_stops_early(live, token) -> None:
    proc = await watch(live, token, "-f", "motion", "--count", "2")
    await until_subscribers(live, 1)
    await live.feed(synthetic_lines(5))
    out, _ = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0
    assert [orjson.loads(line)["type"] for line in out.splitlines()] == [
        "subscribed",
        "result",
        "result",
    ]


async def test_refusals_exit_1_with_the_reason_on_stderr(live, token) -> None:
    proc = await watch(live, token, "-f", "motion,bogus")
    out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 1 and out == b""
    failure = orjson.loads(err)
    assert failure["status"] == 400 and failure["error"] == "unknown_feature"
    assert "motion" in failure["valid"]
    proc = await watch(live, "wrong", "-f", "motion", "--ws")
    _, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 1 and orjson.loads(err)["status"] == 401
