"""What the run gives: the targets' verdicts and the comparisons with the baselines."""

from __future__ import annotations

from collections.abc import Sequence

from orchestrator.bench.compare import AgainstDirect, LatencyBreakdown, ShareOfCeiling, WorkSaved
from orchestrator.bench.markdown.cells import fmt, naive, percent, section, stats, table
from orchestrator.bench.results import CeilingResult
from orchestrator.bench.targets import (
    BatchingMeasured,
    ExactlyOnceMeasured,
    OverheadMeasured,
    RealTimeMeasured,
    Target,
)


def targets(items: Sequence[Target]) -> list[str]:
    return section(
        "Targets",
        ["target", "goal", "measured", "verdict"],
        ([t.name, t.target, _measured(t), _verdict(t)] for t in items),
    )


def _verdict(target: Target) -> str:
    met = target.met
    return "not measured" if met is None else ("**met**" if met else "**missed**")


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
    if isinstance(m, RealTimeMeasured):
        return (
            f"{m.dropped} dropped of {m.frames + m.dropped}, e2e p99 "
            f"{m.e2e_p99_ms} ms (worker's own p99 {m.worker_latency_p99_ms} ms)"
        )
    return target.note or "–"


def latency_breakdown(rows: Sequence[LatencyBreakdown]) -> list[str]:
    if not rows:
        return []
    return section(
        "Where a frame's latency goes (medians, ms)",
        [
            "set",
            "mode",
            "S",
            "latency",
            "queue",
            "decode",
            "Triton round trip",
            "of which transport (mean)",
            "feature code (worker)",
            "same in-process (direct)",
            "overhead p50 / p99",
        ],
        (
            [
                naive(b.set, b.role),
                b.mode,
                b.streams,
                b.latency_p50,
                b.queue_p50,
                b.decode_p50,
                b.triton_p50,
                b.transport_ms_mean,
                b.worker_p50,
                b.worker_features_direct_ms,
                f"{fmt(b.overhead_p50)} / {fmt(b.overhead_p99)}",
            ]
            for b in rows
        ),
    )


def work_saved(rows: Sequence[WorkSaved]) -> list[str]:
    if not rows:
        return []
    return section(
        "Against naive (every feature for every frame), one stream, unpaced",
        [
            "set",
            "clip",
            "nets run",
            "net inferences / frame (naive)",
            "CPU ms / frame (naive)",
            "CPU saved",
            "fps (naive)",
            "speed-up",
        ],
        (
            [
                w.set,
                w.clip,
                ", ".join(w.nets_run) or "none",
                f"{w.net_inferences_per_frame} ({w.net_inferences_per_frame_naive})",
                f"{fmt(w.cpu_ms_per_frame)} ({fmt(w.cpu_ms_per_frame_naive)})",
                percent(w.cpu_saved),
                f"{fmt(w.fps)} ({fmt(w.fps_naive)})",
                f"{fmt(w.speedup, 2)}x",
            ]
            for w in rows
        ),
    )


def against_direct(rows: Sequence[AgainstDirect]) -> list[str]:
    if not rows:
        return []
    return section(
        "Against direct (in-process onnxruntime, one frame at a time, one stream)",
        [
            "set",
            "direct fps",
            "direct latency p50 / p99 ms",
            "direct CPU ms/frame",
            "Framegraph 1 stream fps (ratio)",
            "Framegraph CPU ms/frame (ratio)",
            "Framegraph best fps (S, ratio)",
            "direct RSS MB",
        ],
        (
            [
                d.set,
                d.direct_fps,
                stats(d.direct_latency_ms, "p50", "p99"),
                d.direct_cpu_ms_per_frame,
                f"{fmt(d.fps_1_stream)} ({fmt(d.fps_ratio_1_stream, 2)}x)",
                f"{fmt(d.cpu_ms_per_frame)} ({fmt(d.cpu_ratio, 2)}x)",
                f"{fmt(d.best_fps)} (S={d.best_streams}, {fmt(d.best_fps_ratio, 2)}x)",
                d.direct_peak_rss_mb,
            ]
            for d in rows
        ),
    )


def ceiling(nets: dict[str, CeilingResult], shares: Sequence[ShareOfCeiling]) -> list[str]:
    if not nets:
        return []
    batches = list(next(iter(nets.values())).fps["server options"])
    return [
        *section(
            "Ceiling: bare onnxruntime, images/s by batch size",
            [
                "net",
                *[f"b={b}" for b in batches],
                *[f"b={b} spin" for b in batches],
                "best (batch)",
                "CPU ms/image at best",
            ],
            (
                [
                    net,
                    *c.fps["server options"].values(),
                    *c.fps["server options + spinning"].values(),
                    f"{fmt(c.best_fps)} ({c.best_batch})",
                    c.cpu_ms_per_image_at_best,
                ]
                for net, c in nets.items()
            ),
        ),
        "Share of the ceiling reached inside Framegraph (unpaced runs):",
        "",
        *table(
            ["set", "S", "net", "net fps in Framegraph", "ceiling", "share", "mean batch"],
            (
                [
                    c.set,
                    c.streams,
                    c.net,
                    c.net_fps,
                    c.ceiling_fps,
                    percent(c.share_of_ceiling),
                    c.mean_batch,
                ]
                for c in shares
            ),
        ),
    ]
