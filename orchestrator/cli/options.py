"""Options shared by several commands: features (with parameters) and rates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from orchestrator.graph import REQUEST_ERRORS, Planner, Rate, UnknownFeatureError, Want, resolve


def parse_wants(
    planner: Planner,
    values: tuple[str, ...] | str,
    rate: float | None = None,
    every: int | None = None,
) -> tuple[Want, ...]:
    """`a,b(x=1)` or repeated options, at the subscription's rate, to checked wants; any
    mistake (unknown name, parameter out of bounds, bad rate) exits 2 naming it."""
    raw = [values] if isinstance(values, str) else list(values)
    try:
        return resolve(planner.catalog, raw, Rate.of(rate, every))
    except UnknownFeatureError as exc:
        if not exc.unknown:
            raise click.UsageError(f"no features given; valid: {', '.join(exc.valid)}") from None
        raise click.UsageError(str(exc)) from None
    except REQUEST_ERRORS as exc:
        raise click.UsageError(str(exc)) from None


def parse_features(planner: Planner, values: tuple[str, ...] | str) -> list[str]:
    """Checked node ids (`persons(min_score=0.3)`): what `serve --features` keeps as text."""
    return [w.id for w in parse_wants(planner, values)]


def features_option(required: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--features",
        "-f",
        multiple=True,
        required=required,
        metavar="A,B",
        help="Features to compute, comma-separated, with parameters and rates if wanted: "
        "'persons(min_score=0.3),motion(every=3)' (see `framegraph features`).",
    )


def rate_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`--rate R` (frames per second, by timestamps) or `--every K` (every k-th frame)."""
    fn = click.option(
        "--every",
        type=click.IntRange(1),
        metavar="K",
        help="Features on every K-th frame (frames 0, K, 2K, ...), unless a feature sets its own.",
    )(fn)
    return click.option(
        "--rate",
        type=click.FloatRange(min=0, min_open=True),
        metavar="R",
        help="Features R times per second (by frame timestamps), unless a feature sets its own.",
    )(fn)
