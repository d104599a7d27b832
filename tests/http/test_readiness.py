"""framegraph_ready is true when scraped, whether or not anything ever called /readyz."""

from __future__ import annotations

import asyncio

import httpx

from orchestrator.http import Settings
from orchestrator.http.readiness import Readiness

from .test_health import FakeTriton, neural_catalog


def ready_metric(text: str) -> float:
    line = next(x for x in text.splitlines() if x.startswith("framegraph_ready "))
    return float(line.split()[1])


async def test_after_start_up_metrics_say_ready_without_any_probe(start, until) -> None:
    live = await start(linger=float("inf"))
    async with httpx.AsyncClient(base_url=live.url) as client:
        assert ready_metric((await client.get("/metrics")).text) == 1  # CPU plan, stdin open
        live.end_input()
        await until(lambda: not live.worker.pipeline.stdin_open)
        assert ready_metric((await client.get("/metrics")).text) == 0


async def test_a_neural_plan_is_ready_once_triton_was_found_ready(start, sse, until) -> None:
    triton = FakeTriton(ok=False)
    live = await start(
        Settings(ready_refresh=0.02), catalog=neural_catalog(), triton=triton
    )
    async with httpx.AsyncClient(base_url=live.url) as client:
        await sse(live.url).open(features="boxes").subscribed()
        await until(lambda: ("detector",) in triton.asked)  # checked in the background
        assert ready_metric((await client.get("/metrics")).text) == 0
        triton.ok = True
        await until(lambda: live.telemetry.value("framegraph_ready") == 1)
        assert ready_metric((await client.get("/metrics")).text) == 1


async def test_a_scrape_never_waits_for_triton() -> None:
    triton = FakeTriton(ok=True, delay=3600)  # a Triton that never answers
    state = Readiness(lambda: True, lambda: ("detector",), triton, timeout=3600)
    checking = asyncio.create_task(state.check())
    while not triton.asked:  # the check is waiting on Triton
        await asyncio.sleep(0)
    assert state.now() is False  # and the scrape's answer comes at once
    checking.cancel()


async def test_a_lost_connection_is_not_ready_before_the_next_check() -> None:
    triton = FakeTriton(ok=True)
    state = Readiness(lambda: True, lambda: ("detector",), triton)
    assert state.now() is False  # never checked
    assert (await state.check())[0] is True and state.now() is True
    triton.healthy = False  # the client noticed Triton is gone
    assert state.now() is False


async def test_a_plan_that_grew_is_not_ready_until_its_models_were_checked() -> None:
    models = ("detector",)
    state = Readiness(lambda: True, lambda: models, FakeTriton(ok=True))
    await state.check()
    models = ("detector", "embedder")
    assert state.now() is False
    await state.check()
    assert state.now() is True


async def test_no_created_series(start) -> None:
    live = await start()
    await live.feed([b"not an image"])
    await live.frames_done(1)
    async with httpx.AsyncClient(base_url=live.url) as client:
        text = (await client.get("/metrics")).text
    assert "framegraph_frames_received_total 1.0" in text and "_created" not in text
