"""The run's own tables: when and where it ran, then every scenario's figures."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from orchestrator.bench.markdown.cells import Column, fmt, naive, section, stats, timing
from orchestrator.bench.report import Report
from orchestrator.bench.results import MachineFacts, ModelStats, ScenarioResult

# What each scenario cost, at the end of both scenario tables.
RESOURCES: tuple[Column[ScenarioResult], ...] = (
    (
        "CPU ms/frame worker / server",
        lambda r: f"{fmt(r.cpu.worker_ms_per_frame)} / {fmt(r.cpu.server_ms_per_frame)}",
    ),
    (
        "RSS MB worker / server",
        lambda r: f"{fmt(r.rss_mb.worker_peak_max, 0)} / {fmt(r.rss_mb.server_peak, 0)}",
    ),
    # cores' worth of other processes during the run: these machines are shared
    ("other load (cores)", lambda r: fmt(r.cpu.other_processes_s / (r.cpu.wall_s or 1.0), 2)),
)
PACED: tuple[Column[ScenarioResult], ...] = (
    ("set", lambda r: r.set),
    ("S", lambda r: r.streams),
    (
        "offered / delivered fps",
        lambda r: f"{fmt(r.throughput.offered_fps)} / {fmt(r.throughput.total_fps)}",
    ),
    ("dropped", lambda r: r.frames.dropped),
    ("e2e p50 / p95 / p99 ms", lambda r: stats(r.e2e_ms, "p50", "p95", "p99")),
    ("worker latency p99", lambda r: fmt(r.latency_ms.p99 if r.latency_ms else None)),
    ("overhead p50 / p99", lambda r: timing(r, "overhead", "p50", "p99")),
    ("+queue+decode p50 / p99", lambda r: timing(r, "overhead_with_queue_decode", "p50", "p99")),
    ("Triton p50", lambda r: timing(r, "triton", "p50")),
    *RESOURCES,
)
UNPACED: tuple[Column[ScenarioResult], ...] = (
    ("set", lambda r: naive(r.set, r.role)),
    ("S", lambda r: r.streams),
    ("total fps", lambda r: r.throughput.total_fps),
    ("per stream", lambda r: r.throughput.per_stream_fps),
    ("mean batch (nets)", lambda r: _nets_batch(r.triton)),
    ("e2e p50 / p99 ms", lambda r: stats(r.e2e_ms, "p50", "p99")),
    ("overhead p50 / p99", lambda r: timing(r, "overhead", "p50", "p99")),
    ("queue p50", lambda r: timing(r, "queue", "p50")),
    *RESOURCES,
)
EXACTLY_ONCE: tuple[Column[ScenarioResult], ...] = (
    ("scenario", lambda r: r.key),
    ("ok", lambda r: r.exactly_once.ok),
    ("Triton models used: inferences (expected)", lambda r: _models_used(r)),
    ("problems", lambda r: "; ".join(r.exactly_once.problems) or "–"),
)


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
    return section("Paced at the clip's real-time rate (live mode)", PACED, runs)


def unpaced(runs: Sequence[ScenarioResult]) -> list[str]:
    return section("Unpaced: as fast as each stream is taken (lossless)", UNPACED, runs)


def exactly_once(runs: Sequence[ScenarioResult]) -> list[str]:
    return section("Exactly once", EXACTLY_ONCE, runs)


def _nets_batch(triton: dict[str, ModelStats]) -> str:
    """Mean batch of each net that batched at all (post-processing models left out)."""
    nets = [
        (n, s) for n, s in triton.items() if not n.endswith("_post") and s.requests != s.executions
    ]
    return ", ".join(f"{n} {s.mean_batch}" for n, s in sorted(nets)) or "–"


def _models_used(run: ScenarioResult) -> str:
    used = [
        f"{n} {e.inferences} ({e.expected_inferences})"
        for n, e in run.exactly_once.models.items()
        if e.expected_inferences or e.inferences
    ]
    return ", ".join(used) or "none"
