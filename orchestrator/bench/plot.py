"""One PNG: latency percentiles, throughput, batch size and overhead against streams.

Four panels, one function each, over the matrix runs grouped by feature set (one colour
per set across panels).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

from orchestrator.bench.report import Report
from orchestrator.bench.results import CeilingResult, ScenarioResult

PERCENTILES = (("p50", "-"), ("p95", "--"), ("p99", ":"))
BySet = dict[str, list[ScenarioResult]]
Axes = Any  # matplotlib's Axes (untyped here)


def _matrix(runs: list[ScenarioResult], mode: str) -> BySet:
    by_set: BySet = {}
    for run in runs:
        if run.role == "matrix" and run.mode == mode:
            by_set.setdefault(run.set, []).append(run)
    return {k: sorted(v, key=lambda r: r.streams) for k, v in by_set.items()}


def _latency(ax: Axes, paced: BySet, colour: dict[str, str]) -> None:
    for name, runs in paced.items():
        for key, style in PERCENTILES:
            xs = [r.streams for r in runs if r.e2e_ms]
            ys = [getattr(r.e2e_ms, key) for r in runs if r.e2e_ms]
            ax.plot(
                xs,
                ys,
                style,
                marker="o",
                color=colour[name],
                label=f"{name} {key}" if key != "p95" else None,
            )
    ax.set(
        title="End-to-end latency per frame, paced at the clip's rate",
        ylabel="ms (log)",
        yscale="log",
    )
    ax.axhline(100, color="grey", lw=0.8)


def _throughput(
    ax: Axes, unpaced: BySet, colour: dict[str, str], ceiling: CeilingResult | None
) -> None:
    for name, runs in unpaced.items():
        streams = [r.streams for r in runs]
        ax.plot(
            streams,
            [r.throughput.total_fps for r in runs],
            marker="o",
            color=colour[name],
            label=f"{name} total",
        )
        ax.plot(
            streams,
            [r.throughput.per_stream_fps for r in runs],
            "--",
            marker=".",
            color=colour[name],
            label=f"{name} per stream",
        )
    if ceiling:
        ax.axhline(
            ceiling.best_fps,
            color="black",
            lw=0.8,
            ls="-.",
            label=f"SSDLite ceiling {ceiling.best_fps:.0f} fps",
        )
        ax.axhline(0.9 * ceiling.best_fps, color="grey", lw=0.8, ls=":", label="90% of ceiling")
    ax.set(title="Throughput, unpaced (as fast as possible, lossless)", ylabel="frames/s")


def _batch(ax: Axes, unpaced: BySet, colour: dict[str, str]) -> None:
    for name, runs in unpaced.items():
        nets = sorted(
            {
                n
                for r in runs
                for n, s in r.triton.items()
                if s.mean_batch and not n.endswith("_post") and s.requests != s.executions
            }
        )
        for i, net in enumerate(nets):
            pts = [
                (r.streams, stats.mean_batch)
                for r in runs
                if (stats := r.triton.get(net)) and stats.mean_batch
            ]
            ax.plot(
                [p[0] for p in pts],
                [p[1] for p in pts],
                marker="os^vD<>"[i % 7],
                color=colour[name],
                label=f"{net} ({name})",
            )
    ax.set(title="Mean batch size per net execution, unpaced", ylabel="inferences/execution")


def _overhead(ax: Axes, paced: BySet, unpaced: BySet, colour: dict[str, str]) -> None:
    for mode, data, style in (("paced", paced, "-"), ("unpaced", unpaced, "--")):
        for name, runs in data.items():
            pts = [(r.streams, o) for r in runs if (o := r.overhead) is not None]
            for key, marker, alpha in (("p50", "o", 1.0), ("p99", "x", 0.5)):
                ax.plot(
                    [p[0] for p in pts],
                    [getattr(p[1], key) for p in pts],
                    style,
                    marker=marker,
                    color=colour[name],
                    alpha=alpha,
                    label=f"{name} {key}, {mode}",
                )
    ax.axhline(2, color="grey", lw=0.8)
    ax.axhline(5, color="grey", lw=0.8, ls=":")
    ax.set(
        title="Orchestration overhead (what --timings leaves after the work)",
        ylabel="ms (log)",
        yscale="log",
    )


def plot(report: Report, path: Path) -> Path:
    result = report.run
    paced, unpaced = _matrix(result.scenarios, "paced"), _matrix(result.scenarios, "unpaced")
    colour = {name: f"C{i}" for i, name in enumerate(dict.fromkeys([*paced, *unpaced]))}
    fig, axes = plt.subplots(2, 2, figsize=(13, 9.5))
    (lat, tput), (batch, over) = axes
    _latency(lat, paced, colour)
    _throughput(tput, unpaced, colour, result.baselines.ceiling.get("ssdlite_person"))
    _batch(batch, unpaced, colour)
    _overhead(over, paced, unpaced, colour)

    counts = sorted({r.streams for r in result.scenarios if r.role == "matrix"})
    for ax in axes.flat:
        ax.set_xlabel("streams")
        ax.set_xscale("log", base=2)
        ax.set_xticks(counts, labels=[str(c) for c in counts])
        ax.minorticks_off()
        ax.grid(True, alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, ncol=2)
    m = result.machine
    fig.suptitle(
        f"framegraph bench{' --quick' if result.quick else ''}: {m.cpu_model}, "
        f"{m.cpu_cores} cores, {m.ram_gib} GiB, {m.date[:10]}",
        fontsize=11,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
