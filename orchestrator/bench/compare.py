"""Side-by-side ratios: each set against naive, direct and the ceiling, from one run.

Ratios are what travels between machines; the absolute figures stay beside them. All work
figures are per frame, so runs of different lengths on the same clip compare directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from orchestrator.bench.baselines import nets_of
from orchestrator.bench.codec import omitted_if_none
from orchestrator.bench.projection import Projection, project
from orchestrator.bench.results import (
    Baselines,
    CeilingResult,
    DirectResult,
    Percentiles,
    ScenarioResult,
)
from orchestrator.bench.steps import ServerSteps, server_steps
from orchestrator.graph import Planner
from orchestrator.triton.repository import composing


@dataclass(frozen=True)
class WorkSaved:
    """A set against every feature on the same frames (naive), one stream, unpaced."""

    set: str
    clip: str
    nets_run: list[str]
    nets_run_naive: list[str]
    net_inferences_per_frame: float
    net_inferences_per_frame_naive: float
    net_executions_per_frame: float
    net_executions_per_frame_naive: float
    cpu_ms_per_frame: float
    cpu_ms_per_frame_naive: float
    cpu_saved: float | None
    fps: float
    fps_naive: float
    speedup: float | None


@dataclass(frozen=True)
class AgainstDirect:
    """A set in Framegraph against the in-process loop; the Framegraph side where it ran."""

    set: str
    direct_fps: float
    direct_latency_ms: Percentiles | None
    direct_cpu_ms_per_frame: float
    direct_peak_rss_mb: float
    fps_1_stream: float | None = omitted_if_none()
    fps_ratio_1_stream: float | None = omitted_if_none()
    cpu_ms_per_frame: float | None = omitted_if_none()
    cpu_ratio: float | None = omitted_if_none()
    best_fps: float | None = omitted_if_none()
    best_streams: int | None = omitted_if_none()
    best_fps_ratio: float | None = omitted_if_none()
    paced_e2e_p50_ms: float | None = omitted_if_none()


@dataclass(frozen=True)
class ShareOfCeiling:
    set: str
    streams: int
    net: str
    net_fps: float
    ceiling_fps: float
    share_of_ceiling: float | None
    mean_batch: float | None


@dataclass(frozen=True)
class LatencyBreakdown:
    """Medians (ms) of where a frame's time went in one scenario (see `latency_breakdown`)."""

    key: str
    set: str
    role: str
    streams: int
    mode: str
    latency_p50: float | None
    queue_p50: float | None
    decode_p50: float | None
    triton_p50: float | None
    triton_mean: float | None
    server_ms_per_frame: float | None
    transport_ms_mean: float | None
    worker_p50: float | None
    worker_features_direct_ms: float | None
    overhead_p50: float
    overhead_p99: float


@dataclass(frozen=True)
class Comparisons:
    work_saved: list[WorkSaved]
    direct: list[AgainstDirect]
    ceiling: list[ShareOfCeiling]
    latency_breakdown: list[LatencyBreakdown]
    server_steps: list[ServerSteps]
    gpu_projection: Projection | None = omitted_if_none()  # noqa: RUF009 (a field())


def compare(
    runs: Sequence[ScenarioResult], base: Baselines, planner: Planner, ensembles: Sequence[str]
) -> Comparisons:
    """Every comparison of one run (`ensembles`: all the repository's)."""
    return Comparisons(
        work_saved=work_saved(runs, nets_of(ensembles)),
        direct=against_direct(runs, base.direct),
        ceiling=against_ceiling(runs, base.ceiling, planner),
        latency_breakdown=latency_breakdown(runs, base.direct),
        server_steps=server_steps(runs, base.ceiling, composing),
        gpu_projection=project(runs, base.ceiling),
    )


def _find(
    runs: Iterable[ScenarioResult], match: Callable[[ScenarioResult], bool]
) -> ScenarioResult | None:
    return next((r for r in runs if match(r)), None)


def _ratio(a: float | None, b: float | None, digits: int = 3) -> float | None:
    return round(a / b, digits) if a is not None and b else None


def _net_work(run: ScenarioResult, nets: Sequence[str]) -> tuple[float, float]:
    """(net inferences, net executions) per frame with a result."""
    frames = max(1, run.frames.results)
    used = [run.triton[n] for n in nets if n in run.triton]
    inf = sum(s.inferences for s in used)
    exe = sum(s.executions for s in used)
    return round(inf / frames, 3), round(exe / frames, 3)


def work_saved(runs: Sequence[ScenarioResult], all_nets: Sequence[str]) -> list[WorkSaved]:
    """Each requested set against computing every feature on the same frames (naive)."""
    out = []
    for run in runs:
        if run.role != "matrix" or run.set == "everything" or run.streams != 1:
            continue
        if run.mode != "unpaced":
            continue
        naive = next(
            (
                r
                for r in runs
                if r.set == "everything"
                and r.clip == run.clip
                and r.streams == 1
                and r.mode == "unpaced"
            ),
            None,
        )
        if naive is None:
            continue
        inf, exe = _net_work(run, all_nets)
        n_inf, n_exe = _net_work(naive, all_nets)
        cpu, n_cpu = run.cpu.total_ms_per_frame, naive.cpu.total_ms_per_frame
        fps, n_fps = run.throughput.total_fps, naive.throughput.total_fps
        out.append(
            WorkSaved(
                set=run.set,
                clip=run.clip,
                nets_run=sorted(n for n in all_nets if n in run.triton),
                nets_run_naive=sorted(n for n in all_nets if n in naive.triton),
                net_inferences_per_frame=inf,
                net_inferences_per_frame_naive=n_inf,
                net_executions_per_frame=exe,
                net_executions_per_frame_naive=n_exe,
                cpu_ms_per_frame=cpu,
                cpu_ms_per_frame_naive=n_cpu,
                cpu_saved=round(1 - cpu / n_cpu, 3) if n_cpu else None,
                fps=fps,
                fps_naive=n_fps,
                speedup=_ratio(fps, n_fps, 2),
            )
        )
    return out


def against_direct(
    runs: Sequence[ScenarioResult], direct: dict[str, DirectResult]
) -> list[AgainstDirect]:
    """Framegraph on one stream (and at its best S) against the in-process loop."""
    out = []
    for name, d in direct.items():
        matrix = [r for r in runs if r.role == "matrix" and r.set == name]
        one = _find(matrix, lambda r: r.streams == 1 and r.mode == "unpaced")
        paced = _find(matrix, lambda r: r.streams == 1 and r.mode == "paced")
        best = max(
            (r for r in matrix if r.mode == "unpaced"),
            key=lambda r: r.throughput.total_fps,
            default=None,
        )
        one_fps = one.throughput.total_fps if one else None
        one_cpu = one.cpu.total_ms_per_frame if one else None
        out.append(
            AgainstDirect(
                set=name,
                direct_fps=d.fps,
                direct_latency_ms=d.latency_ms,
                direct_cpu_ms_per_frame=d.cpu_ms_per_frame,
                direct_peak_rss_mb=d.peak_rss_mb,
                fps_1_stream=one_fps,
                fps_ratio_1_stream=_ratio(one_fps, d.fps),
                cpu_ms_per_frame=one_cpu,
                cpu_ratio=_ratio(one_cpu, d.cpu_ms_per_frame),
                best_fps=best.throughput.total_fps if best else None,
                best_streams=best.streams if best else None,
                best_fps_ratio=_ratio(best.throughput.total_fps, d.fps) if best else None,
                paced_e2e_p50_ms=paced.e2e_ms.p50 if paced and paced.e2e_ms else None,
            )
        )
    return out


def against_ceiling(
    runs: Sequence[ScenarioResult], ceiling: dict[str, CeilingResult], planner: Planner
) -> list[ShareOfCeiling]:
    """Each net's throughput inside Framegraph (unpaced runs) as a share of its ceiling."""
    out = []
    for run in runs:
        if run.mode != "unpaced" or run.role != "matrix":
            continue
        plan = planner.plan(run.features)
        frames = max(1, run.frames.results)
        for net in nets_of(plan.model_names):
            if net not in ceiling:
                continue
            stats = run.triton.get(net)
            per_frame = (stats.inferences if stats else 0) / frames
            fps = run.throughput.total_fps * per_frame
            out.append(
                ShareOfCeiling(
                    set=run.set,
                    streams=run.streams,
                    net=net,
                    net_fps=round(fps, 2),
                    ceiling_fps=ceiling[net].best_fps,
                    share_of_ceiling=_ratio(fps, ceiling[net].best_fps),
                    mean_batch=stats.mean_batch if stats else None,
                )
            )
    return out


def _p50(stats: Percentiles | None) -> float | None:
    return stats.p50 if stats else None


def latency_breakdown(
    runs: Sequence[ScenarioResult], direct: dict[str, DirectResult]
) -> list[LatencyBreakdown]:
    """Where a frame's time goes, per scenario with --timings.

    `worker` is feature code on the critical path (image statistics, resizing a net's input,
    crops, tracking) as the worker timed it, shown beside the same features' in-process cost
    in the direct baseline as a cross-check; `overhead` is what remains: the orchestration
    itself. `transport` is the client-measured Triton time minus
    Triton's own request time (gRPC, protobuf, shared memory, the asyncio client), known
    for single-chain sets in runs that kept up only (under saturation both sides wait in
    different queues).
    """
    out = []
    for run in runs:
        timing = run.timing_ms
        if timing is None or timing.overhead is None:
            continue
        features = direct[run.set].worker_compute_ms if run.set in direct else None
        server = run.triton_server_ms_per_frame
        # a chain of ensembles, so the server time per frame is on the critical path
        chain = run.set in ("persons", "faces.expression") and run.kept_up
        out.append(
            LatencyBreakdown(
                key=run.key,
                set=run.set,
                role=run.role,
                streams=run.streams,
                mode=run.mode,
                latency_p50=_p50(run.latency_ms),
                queue_p50=_p50(timing.queue),
                decode_p50=_p50(timing.decode),
                triton_p50=_p50(timing.triton),
                triton_mean=timing.triton.mean if timing.triton else None,
                server_ms_per_frame=server if chain else None,
                transport_ms_mean=round(timing.triton.mean - server, 3)
                if chain and server is not None and timing.triton
                else None,
                worker_p50=_p50(timing.worker),
                worker_features_direct_ms=features,
                overhead_p50=timing.overhead.p50,
                overhead_p99=timing.overhead.p99,
            )
        )
    return out
