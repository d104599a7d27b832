"""`framegraph plan`: what a request would compute, on which frames, and why."""

from __future__ import annotations

import click
import orjson

from orchestrator.cli.options import features_option, parse_wants, rate_options
from orchestrator.features import default_catalog
from orchestrator.graph import Planner
from orchestrator.graph.request import explain


@click.command("plan")
@features_option()
@rate_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def plan_command(
    features: tuple[str, ...], rate: float | None, every: int | None, as_json: bool
) -> None:
    """Explain the plan for a set of features: closure, order, on which frames each node
    runs, Triton models, skipped. Parameters and rates as in `run`:

        framegraph plan -f 'persons(min_score=0.3),motion(every=3)'

    Measured costs per node are in a live plan (`GET /plan` of `framegraph serve`) and in
    `framegraph run --stats`.
    """
    planner = Planner(default_catalog())
    wants = parse_wants(planner, features, rate, every)
    plan, runs = explain(planner, wants)
    if as_json:
        body = plan.to_json() | {"runs": runs, "wants": [w.to_json() for w in wants]}
        click.echo(orjson.dumps(body, option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo(plan.explain(runs))
