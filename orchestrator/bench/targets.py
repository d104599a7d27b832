"""The issue's targets, evaluated on a run: met, missed (by how much), or not measured.

They are reported, not asserted: absolute times on a small shared machine are noisy, and
a miss must come with where the time goes (see docs/benchmarks.md), not a red build.

- overhead: orchestration overhead (`timing.overhead_ms`: latency minus queue, decode,
  Triton and feature code on the critical path) p50 <= 2 ms and p99 <= 5 ms, on
  the paced runs that kept up (no drops): on a saturated CPU every figure includes waiting
  for a core, which is load, not orchestration. The saturated runs are shown beside it.
- exactly-once: every scenario's model executions and feature computations match its plan.
- batching: with 4+ streams, the person detector's throughput >= 90% of its onnxruntime
  ceiling, with mean batch > 1.
- real time: one stream of persons at vtest's 10 fps: no drops, p99 end-to-end < 100 ms.
- orchestration CPU: a worker's CPU per frame minus its decode and feature code <= 1.0 ms,
  in the worst scenario of the cpu set and of the persons set (issue 13).
- against direct: persons at 4 unpaced streams >= 1.25x the direct loop's frames/s, at
  <= 1.05x its CPU per frame (worker + server against the loop's process).

Margins are measured minus goal (for a ceiling such as `<=`, negative is inside it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from orchestrator.bench.codec import omitted_if_none
from orchestrator.bench.compare import ShareOfCeiling
from orchestrator.bench.results import CeilingResult, Cpu, DirectResult, ScenarioResult

ORCHESTRATION_MS = 1.0
ORCHESTRATION_SETS = ("cpu", "persons")
DIRECT_STREAMS, DIRECT_FPS_RATIO, DIRECT_CPU_RATIO = 4, 1.25, 1.05


@dataclass(frozen=True)
class OverheadMeasured:
    worst_p50_ms: float
    at: str
    worst_p99_ms: float
    at_p99: str
    runs: int


@dataclass(frozen=True)
class ExactlyOnceMeasured:
    scenarios_checked: int
    failed: dict[str, list[str]]  # scenario -> its problems


@dataclass(frozen=True)
class BatchingBound:
    """What bounds batching: CPU per frame (worker + server) against the cores."""

    cores: int
    framegraph_cpu_ms_per_frame: float
    worker_cpu_ms_per_frame: float
    server_cpu_ms_per_frame: float
    net_alone_cpu_ms_per_image: float | None
    direct_cpu_ms_per_frame: float | None
    cpu_bound_fps: float  # frames/s if every core did nothing but this work, back to back
    direct_work_bound_fps: float | None
    max_share_of_ceiling_at_this_cpu_cost: float | None


@dataclass(frozen=True)
class BatchingMeasured:
    share_of_ceiling: float
    at_streams: int
    net_fps: float
    ceiling_fps: float
    mean_batch: dict[str, float | None]  # by stream count
    bound: BatchingBound


@dataclass(frozen=True)
class OrchestrationWorst:
    """A set's scenario with the most orchestration CPU per frame, and the rest of its
    worker CPU: what the orchestration figure was left from."""

    set: str
    at: str
    orchestration_ms: float
    worker_ms: float
    decode_ms: float
    features_ms: float


@dataclass(frozen=True)
class OrchestrationMeasured:
    worst: list[OrchestrationWorst]
    runs: int  # scenarios of these sets with a worker split


@dataclass(frozen=True)
class DirectMeasured:
    at: str
    fps: float
    direct_fps: float
    fps_ratio: float
    cpu_ms_per_frame: float
    direct_cpu_ms_per_frame: float
    cpu_ratio: float
    bound: BatchingBound


@dataclass(frozen=True)
class RealTimeMeasured:
    dropped: int
    e2e_p99_ms: float
    worker_latency_p99_ms: float | None
    frames: int


Measured = (
    OverheadMeasured
    | ExactlyOnceMeasured
    | BatchingMeasured
    | RealTimeMeasured
    | OrchestrationMeasured
    | DirectMeasured
)


@dataclass(frozen=True)
class Target:
    """A verdict: `met` None when not measured (then `note` says why)."""

    name: str
    target: str
    measured: Measured | None
    met: bool | None
    note: str | None = omitted_if_none()
    margin: Mapping[str, float] | None = omitted_if_none()
    saturated_runs: Mapping[str, Mapping[str, float]] | None = omitted_if_none()


def _overhead(runs: Sequence[ScenarioResult]) -> Target:
    """Judged on `overhead_ms` as the worker measures it: latency minus queue, decode, Triton
    round trips and feature code on the frame's critical path (`worker_ms`)."""
    name, target = "orchestration overhead", "p50 <= 2 ms and p99 <= 5 ms per frame"
    timed = [(r, o) for r in runs if (o := r.overhead) is not None]
    kept_up = [(r, o) for r, o in timed if r.kept_up]
    saturated = [(r, o) for r, o in timed if not r.kept_up]
    if not kept_up:
        return Target(name, target, None, None, note="no paced run with --timings kept up")
    w50, o50 = max(kept_up, key=lambda ro: ro[1].p50)
    w99, o99 = max(kept_up, key=lambda ro: ro[1].p99)
    worst50, worst99 = o50.p50, o99.p99
    return Target(
        name,
        target,
        OverheadMeasured(worst50, w50.key, worst99, w99.key, len(kept_up)),
        worst50 <= 2.0 and worst99 <= 5.0,
        margin={"p50_ms": round(worst50 - 2.0, 3), "p99_ms": round(worst99 - 5.0, 3)},
        saturated_runs={r.key: {"p50": o.p50, "p99": o.p99} for r, o in saturated},
    )


def _exactly_once(runs: Sequence[ScenarioResult]) -> Target:
    bad = {r.key: r.exactly_once.problems for r in runs if not r.exactly_once.ok}
    return Target(
        "no redundant computation",
        "model executions and feature computations match the plan exactly, every set",
        ExactlyOnceMeasured(len(runs), bad),
        not bad,
    )


def _batching(
    runs: Sequence[ScenarioResult],
    ceiling_rows: Sequence[ShareOfCeiling],
    direct: dict[str, DirectResult],
    ceiling: dict[str, CeilingResult],
    cores: int,
) -> Target:
    """Also says what bounds it: CPU per frame (worker + server) against the cores."""
    name = "cross-stream batching"
    target = "4+ streams: person detector >= 90% of its onnxruntime ceiling, mean batch > 1"
    rows = [
        r
        for r in ceiling_rows
        if r.net == "ssdlite_person" and r.set == "persons" and r.streams >= 4
    ]
    if not rows:
        return Target(name, target, None, None, note="no persons run with 4+ streams")
    worst = min(rows, key=lambda r: r.share_of_ceiling or 0.0)
    share = worst.share_of_ceiling or 0.0
    batched = all((r.mean_batch or 0) > 1 for r in rows)
    cpu = next(
        r.cpu
        for r in runs
        if r.role == "matrix"
        and r.set == "persons"
        and r.mode == "unpaced"
        and r.streams == worst.streams
    )
    bound = _persons_bound(cpu, direct, ceiling, cores)
    return Target(
        name,
        target,
        BatchingMeasured(
            share_of_ceiling=share,
            at_streams=worst.streams,
            net_fps=worst.net_fps,
            ceiling_fps=worst.ceiling_fps,
            mean_batch={str(r.streams): r.mean_batch for r in rows},
            bound=bound,
        ),
        share >= 0.9 and batched,
        margin={"share_points": round(100 * (share - 0.9), 1)},
    )


def _persons_bound(
    cpu: Cpu, direct: dict[str, DirectResult], ceiling: dict[str, CeilingResult], cores: int
) -> BatchingBound:
    """What bounds a persons run on this machine: its CPU per frame against the cores."""
    net = ceiling.get("ssdlite_person")
    net_cpu = net.cpu_ms_per_image_at_best if net else None
    direct_cpu = direct["persons"].cpu_ms_per_frame if "persons" in direct else None
    return BatchingBound(
        cores=cores,
        framegraph_cpu_ms_per_frame=cpu.total_ms_per_frame,
        worker_cpu_ms_per_frame=cpu.worker_ms_per_frame,
        server_cpu_ms_per_frame=cpu.server_ms_per_frame,
        net_alone_cpu_ms_per_image=net_cpu,
        direct_cpu_ms_per_frame=direct_cpu,
        cpu_bound_fps=round(cores * 1000 / cpu.total_ms_per_frame, 1),
        direct_work_bound_fps=round(cores * 1000 / direct_cpu, 1) if direct_cpu else None,
        max_share_of_ceiling_at_this_cpu_cost=round(net_cpu / cpu.total_ms_per_frame, 3)
        if net_cpu
        else None,
    )


def _orchestration(runs: Sequence[ScenarioResult]) -> Target:
    """Worst scenario of each set (any mode and stream count): CPU is counted per frame, so
    saturation adds waiting, not CPU (a busier loop may cost a little more per frame)."""
    name = "orchestration CPU"
    target = (
        f"worker CPU - decode - feature code <= {ORCHESTRATION_MS} ms per frame, worst "
        f"scenario of each of {', '.join(ORCHESTRATION_SETS)}"
    )
    split = [
        (r, w)
        for r in runs
        if r.role == "matrix" and r.set in ORCHESTRATION_SETS and (w := r.cpu.worker_split)
    ]
    if not split:
        return Target(name, target, None, None, note="no worker CPU split in this run")
    worst = []
    for set_ in ORCHESTRATION_SETS:
        of_set = [(r, w) for r, w in split if r.set == set_]
        if of_set:
            r, w = max(of_set, key=lambda rw: rw[1].orchestration_ms)
            worst.append(
                OrchestrationWorst(
                    set_, r.key, w.orchestration_ms, w.worker_ms, w.decode_ms, w.features_ms
                )
            )
    missing = [s for s in ORCHESTRATION_SETS if s not in {w.set for w in worst}]
    return Target(
        name,
        target,
        OrchestrationMeasured(worst, len(split)),
        all(w.orchestration_ms <= ORCHESTRATION_MS for w in worst) and not missing,
        note=f"not run: {', '.join(missing)}" if missing else None,
        margin={f"{w.set}_ms": round(w.orchestration_ms - ORCHESTRATION_MS, 3) for w in worst},
    )


def _against_direct(
    runs: Sequence[ScenarioResult],
    direct: dict[str, DirectResult],
    ceiling: dict[str, CeilingResult],
    cores: int,
) -> Target:
    name = "persons against direct"
    target = (
        f"persons, {DIRECT_STREAMS} unpaced streams: >= {DIRECT_FPS_RATIO}x the direct loop's "
        f"frames/s at <= {DIRECT_CPU_RATIO}x its CPU per frame"
    )
    run = next(
        (
            r
            for r in runs
            if r.role == "matrix"
            and r.set == "persons"
            and r.mode == "unpaced"
            and r.streams == DIRECT_STREAMS
        ),
        None,
    )
    base = direct.get("persons")
    if run is None or base is None:
        return Target(name, target, None, None, note="needs persons unpaced S=4 and direct")
    fps_ratio = round(run.throughput.total_fps / base.fps, 3)
    cpu_ratio = round(run.cpu.total_ms_per_frame / base.cpu_ms_per_frame, 3)
    return Target(
        name,
        target,
        DirectMeasured(
            at=run.key,
            fps=run.throughput.total_fps,
            direct_fps=base.fps,
            fps_ratio=fps_ratio,
            cpu_ms_per_frame=run.cpu.total_ms_per_frame,
            direct_cpu_ms_per_frame=base.cpu_ms_per_frame,
            cpu_ratio=cpu_ratio,
            bound=_persons_bound(run.cpu, direct, ceiling, cores),
        ),
        fps_ratio >= DIRECT_FPS_RATIO and cpu_ratio <= DIRECT_CPU_RATIO,
        margin={
            "fps_ratio": round(fps_ratio - DIRECT_FPS_RATIO, 3),
            "cpu_ratio": round(cpu_ratio - DIRECT_CPU_RATIO, 3),
        },
    )


def _real_time(runs: Sequence[ScenarioResult]) -> Target:
    name, target = "real time, one stream", "persons at 10 fps: no drops, p99 < 100 ms"
    run = next(
        (
            r
            for r in runs
            if r.role == "matrix" and r.set == "persons" and r.streams == 1 and r.mode == "paced"
        ),
        None,
    )
    if run is None or run.e2e_ms is None:
        return Target(name, target, None, None, note="no paced single-stream persons run")
    p99 = run.e2e_ms.p99
    dropped = run.frames.dropped
    return Target(
        name,
        target,
        RealTimeMeasured(
            dropped=dropped,
            e2e_p99_ms=p99,
            worker_latency_p99_ms=run.latency_ms.p99 if run.latency_ms else None,
            frames=run.frames.results,
        ),
        dropped == 0 and p99 < 100.0,
        margin={"p99_ms": round(p99 - 100.0, 3)},
    )


def evaluate(
    runs: Sequence[ScenarioResult],
    ceiling_rows: Sequence[ShareOfCeiling],
    direct: dict[str, DirectResult] | None = None,
    ceiling: dict[str, CeilingResult] | None = None,
    cores: int = 1,
) -> list[Target]:
    direct, ceiling = direct or {}, ceiling or {}
    return [
        _overhead(runs),
        _orchestration(runs),
        _exactly_once(runs),
        _batching(runs, ceiling_rows, direct, ceiling, cores),
        _against_direct(runs, direct, ceiling, cores),
        _real_time(runs),
    ]
