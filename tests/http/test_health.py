"""Liveness, readiness (stdin, and Triton only when the live plan needs it), and /metrics."""

from __future__ import annotations

import asyncio
import shutil
import subprocess

import httpx
import pytest

from orchestrator.graph import Catalog
from orchestrator.http import Settings
from orchestrator.models import CropInput, Model


class FakeTriton:
    """Stands in for the Triton session: records readiness probes, answers as told."""

    telemetry = None

    def __init__(self, ok: bool = False, delay: float = 0.0) -> None:
        self.ok = ok
        self.delay = delay
        self.asked: list[tuple[str, ...]] = []

    async def infer(self, model: Model, batch: object) -> dict:
        return {}

    async def ready(self, models: tuple[str, ...]) -> tuple[bool, str]:
        self.asked.append(tuple(models))
        await asyncio.sleep(self.delay)
        return self.ok, "ready" if self.ok else f"model {models[0]} is loading"


def neural_catalog() -> Catalog:
    cat = Catalog()
    detector = Model("detector", CropInput(8, "uint8"), ())

    @cat.feature("boxes", models=(detector,))
    async def boxes(frame, infer):  # type: ignore[no-untyped-def]
        return []

    @cat.feature("size")
    def size(frame):  # type: ignore[no-untyped-def]
        return frame.width

    return cat


async def test_healthz_answers_while_the_process_lives(start) -> None:
    live = await start()
    async with httpx.AsyncClient(base_url=live.url) as client:
        r = await client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


async def test_readiness_follows_stdin(start, until) -> None:
    live = await start(linger=float("inf"))
    async with httpx.AsyncClient(base_url=live.url) as client:
        r = await client.get("/readyz")
        assert r.status_code == 200
        assert r.json()["checks"] == {"stdin": {"ok": True, "detail": "open"}}
        assert live.telemetry.value("framegraph_ready") == 1
        live.end_input()
        await until(lambda: not live.worker.pipeline.stdin_open)
        r = await client.get("/readyz")
    assert r.status_code == 503 and r.json()["checks"]["stdin"]["detail"] == "closed"
    assert live.telemetry.value("framegraph_ready") == 0


async def test_triton_is_consulted_only_for_the_models_the_live_plan_needs(start, sse) -> None:
    triton = FakeTriton(ok=False)
    live = await start(
        Settings(ready_refresh=3600),  # only the probes below ask (no background check)
        catalog=neural_catalog(),
        triton=triton,
    )
    async with httpx.AsyncClient(base_url=live.url) as client:
        await sse(live.url).open(features="size").subscribed()
        assert (await client.get("/readyz")).status_code == 200
        assert triton.asked == []  # a CPU-only plan is ready without Triton

        await sse(live.url).open(features="boxes").subscribed()
        r = await client.get("/readyz")
        assert r.status_code == 503
        assert r.json()["checks"]["triton"] == {
            "ok": False,
            "detail": "model detector is loading",
            "models": ["detector"],
        }
        triton.ok = True
        assert (await client.get("/readyz")).status_code == 200
    assert triton.asked == [("detector",), ("detector",)]


async def test_a_triton_that_does_not_answer_makes_readiness_fail_in_time(start, sse) -> None:
    live = await start(
        Settings(ready_timeout=0.1),
        catalog=neural_catalog(),
        triton=FakeTriton(ok=True, delay=5),
    )
    await sse(live.url).open(features="boxes").subscribed()
    async with httpx.AsyncClient(base_url=live.url) as client:
        r = await client.get("/readyz")
    assert r.status_code == 503 and "did not answer" in r.json()["checks"]["triton"]["detail"]


async def test_metrics_pass_promtool(start, sse, vtest_lines) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool not installed (scripts/test-setup installs it)")
    live = await start()
    stream = sse(live.url).open(features="motion,image.quality")
    await stream.subscribed()
    await live.feed([*vtest_lines[:8], b"not an image"])
    await live.frames_done(9)
    async with httpx.AsyncClient(base_url=live.url) as client:
        r = await client.get("/metrics")
        om = await client.get("/metrics", headers={"Accept": "application/openmetrics-text"})
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert om.headers["content-type"].startswith("application/openmetrics-text")
    text = r.text
    for name in (
        "framegraph_frames_received_total 9.0",
        "framegraph_frames_completed_total 8.0",
        'framegraph_feature_computations_total{feature="motion"} 8.0',
        'framegraph_feature_deliveries_total{feature="motion"} 8.0',
        'framegraph_subscribers{policy="latest"} 1.0',
        "framegraph_frame_latency_seconds_count 8.0",
    ):
        assert name in text, name
    assert "framegraph_frames_failed_total{reason=" in text
    lint = subprocess.run(
        [promtool, "check", "metrics"], input=text, capture_output=True, text=True, check=False
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
