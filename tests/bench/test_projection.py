from __future__ import annotations

from dataclasses import replace

import pytest

from orchestrator.bench import results as res
from orchestrator.bench.projection import Assumptions, project

from .runs import scenario

NET = res.CeilingResult({"server options": {"1": 100.0}}, 100.0, 1, "server options", 15.0, 100.0)


def run(streams: int, decode: float, features: float, orchestration: float) -> res.ScenarioResult:
    base = scenario(f"p{streams}", "unpaced", streams)
    worker = decode + features + orchestration
    split = res.WorkerCpu(100, worker, decode, features, orchestration, None, None)
    ssd = res.ModelStats(100, 20, 5.0, {}, 100, 0, None, None, None)
    return replace(base, cpu=replace(base.cpu, worker_split=split), triton={"ssdlite_person": ssd})


def test_streams_per_node_from_the_worker_split() -> None:
    # vtest is 768x576: a 1080p frame has 4.69x its pixels, so 2 ms of decode becomes 9.375;
    # the server's 20 ms/frame less the net's 15 leaves 5 ms beside the net
    runs = [run(1, 9.0, 9.0, 9.0), run(4, 2.0, 0.5, 0.5), run(8, 9.0, 9.0, 9.0)]
    projection = project(runs, {"ssdlite_person": NET}, Assumptions(cores=16, cpu_share=0.75))
    assert projection is not None and projection.budget_ms_at_anchor == 8.0
    [p] = projection.sets
    assert p.from_key == "p4"  # the most streams up to 4
    assert p.server_besides_nets_ms == 5.0 and p.decode_scale == pytest.approx(4.69)
    assert p.gpu_decode_ms == 6.0 and p.streams_gpu_decode == pytest.approx(66.7)
    assert p.cpu_decode_ms == pytest.approx(6.0 + 2.0 * 1920 * 1080 / (768 * 576), abs=1e-3)
    assert p.streams_cpu_decode == pytest.approx(12_000 / 30 / p.cpu_decode_ms, abs=0.05)
    # for 50 streams: 8 ms in all, 5 of them the server's; CPU decode would leave nothing
    assert p.worker_budget_gpu_decode_ms == 3.0
    assert p.worker_budget_cpu_decode_ms == pytest.approx(3.0 - 9.375, abs=1e-3)


def test_no_split_no_projection() -> None:
    assert project([scenario("p4", "unpaced", 4)], {}) is None
