"""The run's own tables: when and where it ran, then every scenario's figures."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from orchestrator.bench.markdown.cells import (
    cpu,
    fmt,
    load,
    naive,
    rss,
    section,
    stats,
    timing,
)
from orchestrator.bench.report import Report
from orchestrator.bench.results import MachineFacts, ModelStats, ScenarioResult


def header(report: Report) -> list[str]:
    """When, how and on what the run was made: absolute figures mean little without it."""
    run, m = report.run, report.run.machine
    return [
        f"**Run:** {m.date} · `{report.command}` · {run.duration_s:.0f} s"
        f"{' · quick mode' if run.quick else ''} · commit {m.git_commit}"
        f"{' (uncommitted changes)' if m.git_dirty else ''}",
        "",
        _machine(m),
        "",
    ]


def _machine(m: MachineFacts) -> str:
    pk = m.packages
    return (
        f"**Machine:** {m.cpu_model}, {m.cpu_cores} cores, {m.ram_gib} GiB RAM, "
        f"{m.os}; Python {m.python}; Triton {m.triton_version} (embedded, CPU); "
        f"onnxruntime {pk.get('onnxruntime')}, numpy {pk.get('numpy')}, "
        f"opencv {pk.get('opencv-python-headless')}; load average at start "
        f"{m.load_average_at_start}."
    )


def image(path: Path | None, doc: Path) -> list[str]:
    if path is None:
        return []
    rel = os.path.relpath(path, doc.parent)
    return [f"![latency, throughput, batch size and overhead against streams]({rel})", ""]


def paced(runs: Sequence[ScenarioResult]) -> list[str]:
    if not runs:
        return []
    return section(
        "Paced at the clip's real-time rate (live mode)",
        [
            "set",
            "S",
            "offered / delivered fps",
            "dropped",
            "e2e p50 / p95 / p99 ms",
            "worker latency p99",
            "overhead p50 / p99",
            "+queue+decode p50 / p99",
            "Triton p50",
            "CPU ms/frame worker / server",
            "RSS MB worker / server",
            "other load (cores)",
        ],
        (
            [
                r.set,
                r.streams,
                f"{fmt(r.throughput.offered_fps)} / {fmt(r.throughput.total_fps)}",
                r.frames.dropped,
                stats(r.e2e_ms, "p50", "p95", "p99"),
                fmt(r.latency_ms.p99 if r.latency_ms else None),
                timing(r, "overhead", "p50", "p99"),
                timing(r, "overhead_with_queue_decode", "p50", "p99"),
                timing(r, "triton", "p50"),
                cpu(r),
                rss(r),
                load(r),
            ]
            for r in runs
        ),
    )


def unpaced(runs: Sequence[ScenarioResult]) -> list[str]:
    if not runs:
        return []
    return section(
        "Unpaced: as fast as each stream is taken (lossless)",
        [
            "set",
            "S",
            "total fps",
            "per stream",
            "mean batch (nets)",
            "e2e p50 / p99 ms",
            "overhead p50 / p99",
            "queue p50",
            "CPU ms/frame worker / server",
            "RSS MB worker / server",
            "other load (cores)",
        ],
        (
            [
                naive(r.set, r.role),
                r.streams,
                r.throughput.total_fps,
                r.throughput.per_stream_fps,
                _nets_batch(r.triton),
                stats(r.e2e_ms, "p50", "p99"),
                timing(r, "overhead", "p50", "p99"),
                timing(r, "queue", "p50"),
                cpu(r),
                rss(r),
                load(r),
            ]
            for r in runs
        ),
    )


def _nets_batch(triton: dict[str, ModelStats]) -> str:
    nets = [
        (n, s) for n, s in triton.items() if not n.endswith("_post") and s.requests != s.executions
    ]
    return ", ".join(f"{n} {s.mean_batch}" for n, s in sorted(nets)) or "–"


def exactly_once(runs: Sequence[ScenarioResult]) -> list[str]:
    return section(
        "Exactly once",
        ["scenario", "ok", "Triton models used: inferences (expected)", "problems"],
        (
            [
                r.key,
                r.exactly_once.ok,
                ", ".join(
                    f"{n} {e.inferences} ({e.expected_inferences})"
                    for n, e in r.exactly_once.models.items()
                    if e.expected_inferences or e.inferences
                )
                or "none",
                "; ".join(r.exactly_once.problems) or "–",
            ]
            for r in runs
        ),
    )
