"""`framegraph plan`: what a request would compute, and why."""

from __future__ import annotations

import click
import orjson

from orchestrator.cli.options import features_option, parse_features
from orchestrator.features import default_catalog
from orchestrator.graph import Planner


@click.command("plan")
@features_option()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def plan_command(features: tuple[str, ...], as_json: bool) -> None:
    """Explain the plan for a set of features: closure, order, Triton models, skipped."""
    planner = Planner(default_catalog())
    plan = planner.plan(parse_features(planner, features))
    if as_json:
        click.echo(orjson.dumps(plan.to_json(), option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo(plan.explain())
