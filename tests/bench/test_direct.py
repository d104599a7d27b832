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


def test_a_tiling_feature_runs_once_per_block_on_the_blocks_rows() -> None:
    """The direct loop runs windows as the executor does: a tiling node at block ends only."""
    from orchestrator.bench.direct import Sequential
    from orchestrator.engine.frame import FrameInfo
    from orchestrator.graph import Catalog, Window

    cat = Catalog()

    @cat.feature("seq")
    def seq(frame):
        return frame.seq

    @cat.feature("blocks", window=Window.every(3))
    def blocks(seq, block):
        return (list(seq), block.first, block.last)

    async def infer(model, batch):  # no nets here
        raise AssertionError

    runner = Sequential(("seq", "blocks"), {f.name: f for f in cat.validate()}, infer)
    got = [
        asyncio.run(runner.frame(FrameInfo(k, 0.0, 4, 4), None)).get("blocks") for k in range(7)
    ]
    assert got == [None, None, ([0, 1, 2], 0, 2), None, None, ([3, 4, 5], 3, 5), None]
