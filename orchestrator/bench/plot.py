"""One PNG: latency percentiles, throughput, batch size and overhead against streams."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

from orchestrator.bench.report import Report
from orchestrator.bench.results import ScenarioResult

PERCENTILES = (("p50", "-"), ("p95", "--"), ("p99", ":"))


def _matrix(runs: list[ScenarioResult], mode: str) -> dict[str, list[ScenarioResult]]:
    by_set: dict[str, list[ScenarioResult]] = {}
    for run in runs:
        if run.role == "matrix" and run.mode == mode:
            by_set.setdefault(run.set, []).append(run)
    return {k: sorted(v, key=lambda r: r.streams) for k, v in by_set.items()}


def plot(report: Report, path: Path) -> Path:
    result = report.run
    paced, unpaced = _matrix(result.scenarios, "paced"), _matrix(result.scenarios, "unpaced")
    sets = list(dict.fromkeys([*paced, *unpaced]))
    colour = {name: f"C{i}" for i, name in enumerate(sets)}
    fig, axes = plt.subplots(2, 2, figsize=(13, 9.5))
    (lat, tput), (batch, over) = axes

    for name, runs in paced.items():
        for key, style in PERCENTILES:
            xs = [r.streams for r in runs if r.e2e_ms]
            ys = [getattr(r.e2e_ms, key) for r in runs if r.e2e_ms]
            lat.plot(
                xs,
                ys,
                style,
                marker="o",
                color=colour[name],
                label=f"{name} {key}" if key != "p95" else None,
            )
    lat.set(
        title="End-to-end latency per frame, paced at the clip's rate",
        ylabel="ms (log)",
        yscale="log",
    )
    lat.axhline(100, color="grey", lw=0.8)

    for name, runs in unpaced.items():
        tput.plot(
            [r.streams for r in runs],
            [r.throughput.total_fps for r in runs],
            marker="o",
            color=colour[name],
            label=f"{name} total",
        )
        tput.plot(
            [r.streams for r in runs],
            [r.throughput.per_stream_fps for r in runs],
            "--",
            marker=".",
            color=colour[name],
            label=f"{name} per stream",
        )
    ceiling = result.baselines.ceiling.get("ssdlite_person")
    if ceiling:
        tput.axhline(
            ceiling.best_fps,
            color="black",
            lw=0.8,
            ls="-.",
            label=f"SSDLite ceiling {ceiling.best_fps:.0f} fps",
        )
        tput.axhline(0.9 * ceiling.best_fps, color="grey", lw=0.8, ls=":", label="90% of ceiling")
    tput.set(title="Throughput, unpaced (as fast as possible, lossless)", ylabel="frames/s")

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
            batch.plot(
                [p[0] for p in pts],
                [p[1] for p in pts],
                marker="os^vD<>"[i % 7],
                color=colour[name],
                label=f"{net} ({name})",
            )
    batch.set(title="Mean batch size per net execution, unpaced", ylabel="inferences/execution")

    for mode, data, style in (("paced", paced, "-"), ("unpaced", unpaced, "--")):
        for name, runs in data.items():
            pts = [(r.streams, o) for r in runs if (o := r.overhead) is not None]
            over.plot(
                [p[0] for p in pts],
                [p[1].p50 for p in pts],
                style,
                marker="o",
                color=colour[name],
                label=f"{name} p50, {mode}",
            )
            over.plot(
                [p[0] for p in pts],
                [p[1].p99 for p in pts],
                style,
                marker="x",
                color=colour[name],
                alpha=0.5,
                label=f"{name} p99, {mode}",
            )
    over.axhline(2, color="grey", lw=0.8)
    over.axhline(5, color="grey", lw=0.8, ls=":")
    over.set(
        title="Orchestration overhead (what --timings leaves after the work)",
        ylabel="ms (log)",
        yscale="log",
    )

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
