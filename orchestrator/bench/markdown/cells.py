"""Cells and tables: how a figure is written in the generated Markdown.

A table is a sequence of columns, each a heading beside the function that gives its cell
for a row, so that a heading cannot drift away from its figure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from orchestrator.bench.results import Percentiles, ScenarioResult

R = TypeVar("R")
Cell = str | int | float | bool | None
Column = tuple[str, Callable[[R], Cell]]


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


def columns(cols: Sequence[Column[R]], rows: Sequence[R]) -> list[str]:
    """The table of `rows`, one line each, with these columns."""
    return table([head for head, _ in cols], ([cell(r) for _, cell in cols] for r in rows))


def section(title: str, cols: Sequence[Column[R]], rows: Sequence[R]) -> list[str]:
    """A titled table; nothing at all when there are no rows."""
    return [f"### {title}", "", *columns(cols, rows)] if rows else []


def stats(p: Percentiles | None, *keys: str) -> str:
    """Some of the percentiles ("p50", "p99", ...), as "a / b"."""
    if not p:
        return "–"
    return " / ".join(fmt(getattr(p, k)) for k in keys)


def timing(run: ScenarioResult, key: str, *keys: str) -> str:
    """Percentiles of one of the run's `--timings` figures ("overhead", "queue", ...)."""
    return stats(getattr(run.timing_ms, key) if run.timing_ms else None, *keys)


def naive(set_: str, role: str) -> str:
    return f"{set_}{' (naive)' if role == 'naive' else ''}"


def percent(share: float | None) -> str:
    return f"{share:.0%}" if share is not None else "–"


def ratio(value: float | None, of: float | None, digits: int = 2) -> str:
    """A figure and its ratio: "12.5 (0.89x)"."""
    return f"{fmt(value)} ({fmt(of, digits)}x)"


def with_naive(value: Cell, naive_value: Cell) -> str:
    """A figure and its naive counterpart: "5.7 (102.0)"."""
    return f"{fmt(value)} ({fmt(naive_value)})"
