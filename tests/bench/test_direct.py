from __future__ import annotations

import asyncio

from orchestrator.bench.direct import run
from orchestrator.bench.workload import Clip


def test_cpu_features_one_frame_at_a_time() -> None:
    out = asyncio.run(run(["image.quality", "motion", "scene.cut"], Clip.load("vtest"), 0.2))
    assert out.frames > 0 and out.fps > 0 and out.models == []
    assert out.latency_ms is not None and out.latency_ms.p50 > 0
    assert set(out.node_ms) >= {"image.quality", "motion", "scene.cut"}
    assert 0 < out.worker_compute_ms <= out.latency_ms.mean
