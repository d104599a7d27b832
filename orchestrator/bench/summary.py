"""Per-scenario figures from the raw records: percentiles, rates, drops, CPU, memory.

Definitions (they are repeated in the report):
- latency_ms: the worker's own figure, stdin line read -> event handed to stdout;
- e2e_ms: the benchmark's, line offered on the pipe -> event line read back (adds pipe
  waits, a worker too busy to read, stdout);
- timing_ms (with `run --timings`): queue (arrival -> decode start), decode (this frame's
  share of the decoder), triton (Triton round trips on the frame's critical path, as the
  worker's client measured them: gRPC, server queue and compute), worker (feature code on
  the critical path: statistics, resizing, crops, tracking), overhead (latency minus those
  four: the orchestrator itself), and overhead_with_queue_decode (latency - triton);
- throughput: results read in the steady window [start + warm-up, end of feeding], per
  second; per stream and in total;
- cpu: workers exactly (wait4); per frame, the CPU from the priming answer to the last
  answer (start-up and exit left out), per frame answered after priming; the server's
  process tree (Triton and its backend stubs) by difference across the run, priming
  frames included, per frame answered;
- worker split (`WorkerCpu`): the workers' decode and feature-code CPU from their
  `--stats`, less what the priming frame cost (a one-frame probe worker on the same set
  and clip, see `runner`), per frame after priming, like the worker CPU it is taken from.
  A fresh worker's first decode costs about ten steady ones, so leaving it in would
  understate orchestration by about 0.2 ms per frame in an 80-frame run.
The priming frame of each worker is left out of latency and throughput.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from orchestrator.bench.procs import Usage
from orchestrator.bench.results import (
    Cpu,
    Exactness,
    Frames,
    ModelStats,
    Percentiles,
    Rss,
    ScenarioResult,
    Throughput,
    Timing,
    WorkerCpu,
)
from orchestrator.bench.streams import CpuSplit, Record, StreamResult
from orchestrator.bench.workload import Scenario


def pct(values: Iterable[float | None]) -> Percentiles | None:
    """n, mean, p50, p95, p99 and max, or None when there is nothing to summarise."""
    data = np.array([v for v in values if v is not None], dtype=float)
    if not data.size:
        return None
    p50, p95, p99 = np.percentile(data, [50, 95, 99])
    return Percentiles(
        n=int(data.size),
        mean=round(float(data.mean()), 3),
        p50=round(float(p50), 3),
        p95=round(float(p95), 3),
        p99=round(float(p99), 3),
        max=round(float(data.max()), 3),
    )


def warmup_seconds(seconds: float) -> float:
    return min(1.0, seconds / 4)


def _timings(results: Sequence[Record]) -> Timing | None:
    timed = [(r, r.timing) for r in results if r.timing]
    if not timed:
        return None

    def of(key: str) -> Percentiles | None:
        return pct(t.get(key) for _, t in timed)

    return Timing(
        queue=of("queue_ms"),
        decode=of("decode_ms"),
        triton=of("triton_ms"),
        worker=of("worker_ms"),
        overhead=of("overhead_ms"),
        overhead_with_queue_decode=pct(
            r.latency_ms - t.get("triton_ms", 0.0) for r, t in timed if r.latency_ms is not None
        ),
    )


def _throughput(
    streams: Sequence[StreamResult], scenario: Scenario, start: float, fps: float
) -> Throughput:
    lo = start + warmup_seconds(scenario.seconds)
    hi = start + scenario.seconds
    per = [
        sum(1 for r in s.records if r.kind == "result" and r.seq > 0 and lo <= r.read <= hi)
        / (hi - lo)
        for s in streams
    ]
    return Throughput(
        total_fps=round(sum(per), 2),
        per_stream_fps=round(float(np.mean(per)), 2) if per else 0.0,
        slowest_stream_fps=round(min(per), 2) if per else 0.0,
        offered_fps=round(fps * scenario.streams, 2) if scenario.mode == "paced" else None,
        window_s=round(hi - lo, 2),
    )


def summarise(
    scenario: Scenario,
    fps: float,
    streams: Sequence[StreamResult],
    start: float,
    end: float,
    usage: Usage,
    triton: dict[str, ModelStats],
    exact: Exactness,
    priming: CpuSplit | None = None,
) -> ScenarioResult:
    """One scenario's figures; `priming`: what one priming frame costs a fresh worker."""
    records = [r for s in streams for r in s.records]
    results = [r for r in records if r.kind == "result"]
    measured = [r for r in results if r.seq > 0]
    fed = sum(s.written for s in streams)
    kinds = {k: sum(1 for r in records if r.kind == k) for k in ("result", "dropped", "error")}
    worker_cpu = sum(s.cpu_seconds for s in streams)
    ended = [s.end_cpu_seconds if s.end_cpu_seconds is not None else s.cpu_seconds for s in streams]
    worker_run_cpu = sum(
        max(0.0, end - s.startup_cpu_seconds) for s, end in zip(streams, ended, strict=True)
    )
    worker_exit_cpu = sum(s.cpu_seconds - end for s, end in zip(streams, ended, strict=True))
    ours = worker_cpu + usage.server_cpu_s + usage.bench_cpu_s
    frames = max(1, len(results))
    after_priming = max(1, len(measured))
    worker_ms = 1000 * worker_run_cpu / after_priming
    server_ms = 1000 * usage.server_cpu_s / frames
    return ScenarioResult(
        key=scenario.key,
        role=scenario.role,
        set=scenario.set,
        features=scenario.features,
        clip=scenario.clip,
        clip_fps=fps,
        streams=scenario.streams,
        mode=scenario.mode,
        feed_seconds=scenario.seconds,
        wall_seconds=round(end - start, 2),
        frames=Frames(
            fed=fed,
            results=kinds["result"],
            dropped=kinds["dropped"],
            errors=kinds["error"],
            missing=fed - sum(kinds.values()),  # lines without an outcome: must be 0
            drop_rate=round(kinds["dropped"] / fed, 4) if fed else 0.0,
        ),
        latency_ms=pct(r.latency_ms for r in measured),
        e2e_ms=pct(r.e2e_ms for r in measured),
        timing_ms=_timings(measured),
        throughput=_throughput(streams, scenario, start, fps),
        triton=triton,
        triton_server_ms_per_frame=_server_ms_per_frame(triton, exact, len(results)),
        cpu=Cpu(
            workers_s=round(worker_cpu, 3),
            workers_startup_s=round(sum(s.startup_cpu_seconds for s in streams), 3),
            server_s=round(usage.server_cpu_s, 3),
            bench_s=round(usage.bench_cpu_s, 3),
            other_processes_s=round(max(0.0, usage.machine_busy_s - ours), 3),
            wall_s=round(usage.wall_s, 2),
            worker_ms_per_frame=round(worker_ms, 3),
            server_ms_per_frame=round(server_ms, 3),
            total_ms_per_frame=round(worker_ms + server_ms, 3),
            workers_exit_s=round(worker_exit_cpu, 3),
            worker_split=worker_split(streams, worker_ms, len(measured), priming),
        ),
        rss_mb=Rss(
            worker_peak_max=round(max((s.peak_rss_mb for s in streams), default=0.0), 1),
            worker_peak_mean=round(float(np.mean([s.peak_rss_mb for s in streams])), 1),
            server_peak=round(usage.server_peak_rss_mb, 1),
        ),
        feeder_lag_ms=pct(lag for s in streams for lag in s.feeder_lag_ms),
        exactly_once=exact,
        worker_exit_codes=sorted({s.returncode for s in streams}),
    )


def worker_split(
    streams: Sequence[StreamResult],
    worker_ms: float,
    frames: int,
    priming: CpuSplit | None,
) -> WorkerCpu | None:
    """The workers' CPU per frame after priming, split into decode, feature code and the
    rest (orchestration); None when a worker did not report its decode CPU."""
    splits = [s.cpu_split for s in streams]
    if not frames or not splits or any(s is None for s in splits):
        return None
    known = [s for s in splits if s is not None]
    n = len(known)
    decode_s = sum(s.decode_s for s in known) - n * (priming.decode_s if priming else 0.0)
    features_s = sum(s.features_s for s in known) - n * (priming.features_s if priming else 0.0)
    decode_ms = 1000 * max(0.0, decode_s) / frames
    features_ms = 1000 * max(0.0, features_s) / frames
    return WorkerCpu(
        frames=frames,
        worker_ms=round(worker_ms, 3),
        decode_ms=round(decode_ms, 3),
        features_ms=round(features_ms, 3),
        orchestration_ms=round(worker_ms - decode_ms - features_ms, 3),
        priming_decode_ms=round(1000 * priming.decode_s, 3) if priming else None,
        priming_features_ms=round(1000 * priming.features_s, 3) if priming else None,
    )


def _server_ms_per_frame(
    triton: dict[str, ModelStats], exact: Exactness, frames: int
) -> float | None:
    """Server-side request time per frame, summed over the plan's ensembles.

    For a chain of ensembles (persons; faces -> face_expression) this is the server's share
    of the critical path; what `triton_ms` adds to it is gRPC and the client. With parallel
    branches (everything) it exceeds the critical path.
    """
    ensembles = [n for n, e in exact.models.items() if e.expected_requests is not None]
    total = 0.0
    for name in ensembles:
        entry = triton.get(name)
        if entry and entry.request_ms is not None:
            total += entry.request_ms * entry.requests
    return round(total / frames, 3) if frames and ensembles else None
