"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from orchestrator.graph import Planner, UnknownFeatureError


def parse_features(planner: Planner, values: tuple[str, ...] | str) -> list[str]:
    """`a,b` or repeated options to checked names; unknown names exit 2 listing valid ones."""
    raw = [values] if isinstance(values, str) else list(values)
    names = [n.strip() for v in raw for n in v.split(",") if n.strip()]
    if not names:
        raise click.UsageError(f"no features given; valid: {', '.join(planner.catalog.public())}")
    try:
        return planner.check(names)
    except UnknownFeatureError as exc:
        raise click.UsageError(str(exc)) from None


def features_option(required: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--features",
        "-f",
        multiple=True,
        required=required,
        metavar="A,B",
        help="Features to compute, comma-separated (see `framegraph features`).",
    )
