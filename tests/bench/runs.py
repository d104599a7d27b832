"""Typed scenario results for tests: a whole `res.ScenarioResult`, with what a test varies."""

from __future__ import annotations

from orchestrator.bench import results as res
from orchestrator.bench.workload import Mode


def pcts(p50: float, p99: float, n: int = 100) -> res.Percentiles:
    return res.Percentiles(n=n, mean=p50, p50=p50, p95=p99, p99=p99, max=p99)


def scenario(
    key: str,
    mode: Mode = "paced",
    streams: int = 1,
    overhead: tuple[float, float] | None = (1.0, 2.0),
    *,
    dropped: int = 0,
    set_: str = "persons",
    role: str = "matrix",
    fps: float = 10.0,
    triton: dict[str, res.ModelStats] | None = None,
    problems: tuple[str, ...] = (),
) -> res.ScenarioResult:
    timing = None
    if overhead:
        timing = res.Timing(None, None, pcts(20.0, 30.0), None, pcts(*overhead), None)
    return res.ScenarioResult(
        key=key,
        role=role,
        set=set_,
        features=(set_,),
        clip="vtest",
        clip_fps=10.0,
        streams=streams,
        mode=mode,
        feed_seconds=8.0,
        wall_seconds=8.0,
        frames=res.Frames(100 + dropped, 100, dropped, 0, 0, dropped / (100 + dropped)),
        latency_ms=pcts(30.0, 39.0),
        e2e_ms=pcts(31.0, 40.0),
        timing_ms=timing,
        throughput=res.Throughput(fps, fps / streams, fps / streams, None, 7.0),
        triton=triton or {},
        triton_server_ms_per_frame=None,
        cpu=res.Cpu(1.0, 0.5, 2.0, 0.1, 0.0, 9.0, 5.0, 20.0, 25.0),
        rss_mb=res.Rss(150.0, 150.0, 1500.0),
        feeder_lag_ms=None,
        exactly_once=res.Exactness(
            not problems, {}, res.FeatureCheck(True, 100, {}), list(problems)
        ),
        worker_exit_codes=[0],
    )
