"""What the run gives: the targets' verdicts and the comparisons with the baselines."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from orchestrator.bench.compare import AgainstDirect, LatencyBreakdown, ShareOfCeiling, WorkSaved
from orchestrator.bench.markdown.cells import (
    Column,
    columns,
    fmt,
    naive,
    percent,
    ratio,
    section,
    stats,
    with_naive,
)
from orchestrator.bench.results import CeilingResult
from orchestrator.bench.targets import (
    BatchingMeasured,
    DirectMeasured,
    ExactlyOnceMeasured,
    OrchestrationMeasured,
    OverheadMeasured,
    RealTimeMeasured,
    Target,
)

TARGETS: tuple[Column[Target], ...] = (
    ("target", lambda t: t.name),
    ("goal", lambda t: t.target),
    ("measured", lambda t: _measured(t)),
    ("verdict", lambda t: {None: "not measured", True: "**met**", False: "**missed**"}[t.met]),
)
LATENCY: tuple[Column[LatencyBreakdown], ...] = (
    ("set", lambda b: naive(b.set, b.role)),
    ("mode", lambda b: b.mode),
    ("S", lambda b: b.streams),
    ("latency", lambda b: b.latency_p50),
    ("queue", lambda b: b.queue_p50),
    ("decode", lambda b: b.decode_p50),
    ("Triton round trip", lambda b: b.triton_p50),
    ("of which transport (mean)", lambda b: b.transport_ms_mean),
    ("feature code (worker)", lambda b: b.worker_p50),
    ("same in-process (direct)", lambda b: b.worker_features_direct_ms),
    ("overhead p50 / p99", lambda b: f"{fmt(b.overhead_p50)} / {fmt(b.overhead_p99)}"),
)
WORK_SAVED: tuple[Column[WorkSaved], ...] = (
    ("set", lambda w: w.set),
    ("clip", lambda w: w.clip),
    ("nets run", lambda w: ", ".join(w.nets_run) or "none"),
    (
        "net inferences / frame (naive)",
        lambda w: f"{w.net_inferences_per_frame} ({w.net_inferences_per_frame_naive})",
    ),
    ("CPU ms / frame (naive)", lambda w: with_naive(w.cpu_ms_per_frame, w.cpu_ms_per_frame_naive)),
    ("CPU saved", lambda w: percent(w.cpu_saved)),
    ("fps (naive)", lambda w: with_naive(w.fps, w.fps_naive)),
    ("speed-up", lambda w: f"{fmt(w.speedup, 2)}x"),
)
DIRECT: tuple[Column[AgainstDirect], ...] = (
    ("set", lambda d: d.set),
    ("direct fps", lambda d: d.direct_fps),
    ("direct latency p50 / p99 ms", lambda d: stats(d.direct_latency_ms, "p50", "p99")),
    ("direct CPU ms/frame", lambda d: d.direct_cpu_ms_per_frame),
    ("Framegraph 1 stream fps (ratio)", lambda d: ratio(d.fps_1_stream, d.fps_ratio_1_stream)),
    ("Framegraph CPU ms/frame (ratio)", lambda d: ratio(d.cpu_ms_per_frame, d.cpu_ratio)),
    (
        "Framegraph best fps (S, ratio)",
        lambda d: f"{fmt(d.best_fps)} (S={d.best_streams}, {fmt(d.best_fps_ratio, 2)}x)",
    ),
    ("direct RSS MB", lambda d: d.direct_peak_rss_mb),
)
SHARES: tuple[Column[ShareOfCeiling], ...] = (
    ("set", lambda c: c.set),
    ("S", lambda c: c.streams),
    ("net", lambda c: c.net),
    ("net fps in Framegraph", lambda c: c.net_fps),
    ("ceiling", lambda c: c.ceiling_fps),
    ("share", lambda c: percent(c.share_of_ceiling)),
    ("mean batch", lambda c: c.mean_batch),
)
SERVER, SPINNING = "server options", "server options + spinning"


def targets(items: Sequence[Target]) -> list[str]:
    return section("Targets", TARGETS, items)


def _measured(target: Target) -> str:
    m, margin = target.measured, target.margin or {}
    if isinstance(m, OverheadMeasured):
        return (
            f"worst p50 {m.worst_p50_ms} ms ({m.at}), worst p99 {m.worst_p99_ms} ms "
            f"({m.at_p99}) over {m.runs} paced runs that kept up (margins "
            f"{margin['p50_ms']:+} / {margin['p99_ms']:+} ms)"
        )
    if isinstance(m, ExactlyOnceMeasured):
        return f"{m.scenarios_checked} scenarios checked, {len(m.failed)} failed"
    if isinstance(m, BatchingMeasured):
        batches = ", ".join(f"S={k}: {v}" for k, v in m.mean_batch.items())
        b = m.bound
        return (
            f"{m.share_of_ceiling:.0%} of ceiling at S={m.at_streams} "
            f"({m.net_fps} / {m.ceiling_fps} fps, {margin['share_points']:+} points); "
            f"mean batch {batches}. Bound: {b.framegraph_cpu_ms_per_frame} CPU ms/frame "
            f"(worker {b.worker_cpu_ms_per_frame} + server {b.server_cpu_ms_per_frame})"
            f" on {b.cores} cores ≈ {b.cpu_bound_fps} fps if the cores did nothing "
            f"else; the net alone costs "
            f"{b.net_alone_cpu_ms_per_image} ms/image, the direct loop "
            f"{b.direct_cpu_ms_per_frame} ms/frame ({b.direct_work_bound_fps} fps)"
        )
    if isinstance(m, OrchestrationMeasured):
        worst = "; ".join(
            f"{w.set}: {w.orchestration_ms} ms ({w.at}; worker {w.worker_ms} = decode "
            f"{w.decode_ms} + feature code {w.features_ms} + orchestration, margin "
            f"{margin[w.set + '_ms']:+})"
            for w in m.worst
        )
        return f"worst per set over {m.runs} runs: {worst}" + (
            f" ({target.note})" if target.note else ""
        )
    if isinstance(m, DirectMeasured):
        b = m.bound
        return (
            f"{m.fps} / {m.direct_fps} fps = {m.fps_ratio}x ({margin['fps_ratio']:+}), CPU "
            f"{m.cpu_ms_per_frame} / {m.direct_cpu_ms_per_frame} ms/frame = {m.cpu_ratio}x "
            f"({margin['cpu_ratio']:+}). Bound: worker {b.worker_cpu_ms_per_frame} + server "
            f"{b.server_cpu_ms_per_frame} ms/frame on {b.cores} cores ≈ {b.cpu_bound_fps} fps; "
            f"the direct loop's work alone ≈ {b.direct_work_bound_fps} fps"
        )
    if isinstance(m, RealTimeMeasured):
        return (
            f"{m.dropped} dropped of {m.frames + m.dropped}, e2e p99 "
            f"{m.e2e_p99_ms} ms (worker's own p99 {m.worker_latency_p99_ms} ms)"
        )
    return target.note or "–"


def latency_breakdown(rows: Sequence[LatencyBreakdown]) -> list[str]:
    return section("Where a frame's latency goes (medians, ms)", LATENCY, rows)


def work_saved(rows: Sequence[WorkSaved]) -> list[str]:
    title = "Against naive (every feature for every frame), one stream, unpaced"
    return section(title, WORK_SAVED, rows)


def against_direct(rows: Sequence[AgainstDirect]) -> list[str]:
    title = "Against direct (in-process onnxruntime, one frame at a time, one stream)"
    return section(title, DIRECT, rows)


def ceiling(nets: dict[str, CeilingResult], shares: Sequence[ShareOfCeiling]) -> list[str]:
    """Each net's images/s by batch size (with and without spinning), then the share of it
    that each unpaced run reached."""
    if not nets:
        return []
    batches = list(next(iter(nets.values())).fps[SERVER])
    cols: list[Column[tuple[str, CeilingResult]]] = [
        ("net", lambda nc: nc[0]),
        *((f"b={b}", _fps_at(SERVER, b)) for b in batches),
        *((f"b={b} spin", _fps_at(SPINNING, b)) for b in batches),
        ("best (batch)", lambda nc: f"{fmt(nc[1].best_fps)} ({nc[1].best_batch})"),
        ("CPU ms/image at best", lambda nc: nc[1].cpu_ms_per_image_at_best),
    ]
    return [
        *section("Ceiling: bare onnxruntime, images/s by batch size", cols, list(nets.items())),
        "Share of the ceiling reached inside Framegraph (unpaced runs):",
        "",
        *columns(SHARES, shares),
    ]


def _fps_at(options: str, batch: str) -> Callable[[tuple[str, CeilingResult]], float]:
    return lambda nc: nc[1].fps[options][batch]
