"""Every input line gets exactly one outcome, in order, whatever the input and the load."""

from __future__ import annotations

import asyncio
import base64
import io

import cv2
import numpy as np
import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestrator.features import default_catalog
from orchestrator.graph import Catalog
from orchestrator.stream.pipeline import PipelineConfig
from orchestrator.stream.worker import Worker

SMALL = base64.b64encode(cv2.imencode(".jpg", np.full((48, 64, 3), 128, np.uint8))[1].tobytes())


def slow_catalog(delay: float) -> Catalog:
    cat = Catalog()

    @cat.feature("slow")
    async def slow(frame):
        await asyncio.sleep(delay)
        return frame.seq

    return cat


async def run_lines(
    lines: list[bytes],
    features,
    config: PipelineConfig,
    catalog: Catalog | None = None,
    during=None,
) -> tuple[list[dict], Worker]:
    worker = Worker(config=config, catalog=catalog or default_catalog())
    sub = worker.hub.subscribe(features, policy="backpressure", maxsize=16)
    events: list[dict] = []

    async def read() -> None:
        while (msg := await sub.get()) is not None:
            events.append(orjson.loads(msg.data))
            if during:
                during(worker, events)

    reader = asyncio.create_task(read())
    data = b"".join(line + b"\n" for line in lines)
    await worker.run(io.BytesIO(data), handle_signals=False)
    await reader
    return events, worker


line = st.one_of(
    st.just(SMALL),
    st.just(b""),
    st.binary(max_size=64).map(base64.b64encode),
    st.binary(max_size=64).filter(lambda b: b"\n" not in b),
    st.just(SMALL[: len(SMALL) // 2]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(line, max_size=25), st.booleans())
def test_lines_in_equal_outcomes_out(lines: list[bytes], lossless: bool) -> None:
    cfg = PipelineConfig(lossless=lossless, backlog=4, max_in_flight=3)
    events, worker = asyncio.run(run_lines(lines, ["image.quality", "motion"], cfg))
    assert [e["frame"] for e in events] == list(range(len(lines)))
    for raw, event in zip(lines, events, strict=True):
        if raw == SMALL:
            assert event["type"] in ("result", "dropped")
        else:
            assert event["type"] in ("error", "dropped")
    if lossless:
        assert not any(e["type"] == "dropped" for e in events)
    assert worker.telemetry.value("framegraph_frames_received_total") == len(lines)


async def test_live_mode_drops_the_oldest_waiting_frames_when_behind() -> None:
    cfg = PipelineConfig(lossless=False, backlog=2, max_in_flight=1)
    events, worker = await run_lines([SMALL] * 40, ["slow"], cfg, slow_catalog(0.01))
    kinds = [e["type"] for e in events]
    assert len(events) == 40 and "dropped" in kinds and kinds[-1] == "result"
    dropped = [e for e in events if e["type"] == "dropped"]
    assert all(e["reason"] == "behind" for e in dropped)
    assert worker.telemetry.value("framegraph_frames_dropped_total", {"reason": "behind"}) == len(
        dropped
    )


async def test_lossless_mode_waits_instead() -> None:
    cfg = PipelineConfig(lossless=True, backlog=2, max_in_flight=2)
    events, _ = await run_lines([SMALL] * 30, ["slow"], cfg, slow_catalog(0.003))
    assert [e["type"] for e in events] == ["result"] * 30
    assert [e["features"]["slow"] for e in events] == list(range(30))


async def test_stop_drains_in_flight_and_drops_the_rest_with_a_reason() -> None:
    def stop_early(worker: Worker, events: list[dict]) -> None:
        if len(events) == 3:
            worker.pipeline.stop()

    cfg = PipelineConfig(lossless=True, backlog=8, max_in_flight=2)
    events, _ = await run_lines([SMALL] * 50, ["slow"], cfg, slow_catalog(0.005), during=stop_early)
    kinds = [e["type"] for e in events]
    assert kinds[:3] == ["result"] * 3 and "dropped" in kinds
    assert [e["frame"] for e in events] == list(range(len(events)))  # gap-free, no duplicates
    assert {e["reason"] for e in events if e["type"] == "dropped"} == {"shutdown"}


async def test_subset_change_applies_at_a_frame_boundary() -> None:
    def widen(worker: Worker, events: list[dict]) -> None:
        if len(events) == 5:
            (sub,) = list(worker.hub)
            worker.hub.change(sub, ["image.quality", "motion"])

    cfg = PipelineConfig(lossless=True, backlog=4, max_in_flight=2)
    events, worker = await run_lines([SMALL] * 20, ["image.quality"], cfg, during=widen)
    subsets = [set(e["features"]) for e in events]
    first_wide = subsets.index({"image.quality", "motion"})
    assert 5 <= first_wide <= 5 + 2 + 4  # after the change, once in-flight/decoded frames pass
    assert all(s == {"image.quality"} for s in subsets[:first_wide])
    assert all(s == {"image.quality", "motion"} for s in subsets[first_wide:])
    assert events[first_wide]["features"]["motion"]["warming_up"] is True
    computed = worker.telemetry.value(
        "framegraph_feature_computations_total", {"feature": "motion"}
    )
    assert computed == 20 - first_wide
    assert worker.telemetry.value("framegraph_plan_rebuilds_total") == 1


async def test_timings_split_the_latency() -> None:
    cfg = PipelineConfig(lossless=True, timings=True)
    events, _ = await run_lines([SMALL] * 5, ["slow"], cfg, slow_catalog(0.002))
    for e in events:
        t = e["timing"]
        assert set(t) == {"queue_ms", "decode_ms", "triton_ms", "worker_ms", "overhead_ms"}
        parts = t["queue_ms"] + t["decode_ms"] + t["triton_ms"] + t["worker_ms"]
        assert abs(parts + t["overhead_ms"] - e["latency_ms"]) < 0.05  # they add up
        assert t["triton_ms"] == 0  # no remote call in this catalog
        assert t["worker_ms"] >= 2.0  # the feature slept 2 ms: feature time, not overhead


async def test_frames_decoded_below_full_size_are_counted_by_factor(vtest_lines) -> None:
    """scene.cut needs a ~160 px wide picture: vtest's 768 px frames decode at 1/4; image
    quality needs every pixel: full size, not counted."""
    lines = vtest_lines[:5]
    _, small = await run_lines(lines, ["scene.cut"], PipelineConfig(lossless=True))
    _, full = await run_lines(lines, ["image.quality"], PipelineConfig(lossless=True))
    reduced = "framegraph_frames_decoded_reduced_total"
    assert small.telemetry.by_label(reduced, "factor") == {"4": 5.0}
    assert full.telemetry.by_label(reduced, "factor") == {}
    assert full.telemetry.value("framegraph_frames_decoded_total") == 5
