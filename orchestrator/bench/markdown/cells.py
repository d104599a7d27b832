"""Cells and tables: how a figure is written in the generated Markdown."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from orchestrator.bench.results import Percentiles, ScenarioResult

Cell = str | int | float | bool | None


def fmt(value: Cell, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "**no**"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def table(head: Sequence[str], rows: Iterable[Sequence[Cell]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += [
        "| " + " | ".join(fmt(c) if not isinstance(c, str) else c for c in row) + " |"
        for row in rows
    ]
    return [*lines, ""]


def section(title: str, head: Sequence[str], rows: Iterable[Sequence[Cell]]) -> list[str]:
    return [f"### {title}", "", *table(head, rows)]


def stats(p: Percentiles | None, *keys: str) -> str:
    """Some of the percentiles ("p50", "p99", ...), as "a / b"."""
    if not p:
        return "–"
    return " / ".join(fmt(getattr(p, k)) for k in keys)


def timing(run: ScenarioResult, key: str, *keys: str) -> str:
    """Percentiles of one of the run's `--timings` figures ("overhead", "queue", ...)."""
    return stats(getattr(run.timing_ms, key) if run.timing_ms else None, *keys)


def load(run: ScenarioResult) -> str:
    """Cores' worth of other processes during the run: the machine was shared."""
    return fmt(run.cpu.other_processes_s / (run.cpu.wall_s or 1.0), 2)


def cpu(run: ScenarioResult) -> str:
    return f"{fmt(run.cpu.worker_ms_per_frame)} / {fmt(run.cpu.server_ms_per_frame)}"


def rss(run: ScenarioResult) -> str:
    return f"{fmt(run.rss_mb.worker_peak_max, 0)} / {fmt(run.rss_mb.server_peak, 0)}"


def naive(set_: str, role: str) -> str:
    return f"{set_}{' (naive)' if role == 'naive' else ''}"


def percent(share: float | None) -> str:
    return f"{share:.0%}" if share is not None else "–"
