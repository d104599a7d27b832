"""`framegraph plan`: what a request would compute, on which frames, and why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
@click.option(
    "--costs",
    "costs_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Show each node's measured cost from a `framegraph run --stats` file.",
)
def plan_command(
    features: tuple[str, ...],
    rate: float | None,
    every: int | None,
    as_json: bool,
    costs_path: Path | None,
) -> None:
    """Explain the plan for a set of features: closure, order, on which frames each node
    runs, Triton models, skipped. Parameters and rates as in `run`:

        framegraph plan -f 'persons(min_score=0.3),motion(every=3)'

    Costs are measured, not planned: `--costs STATS` shows each node's mean cost per run
    from a `framegraph run --stats STATS` file; a live plan (`GET /plan` of `framegraph
    serve`) shows the stream's current costs.
    """
    planner = Planner(default_catalog())
    wants = parse_wants(planner, features, rate, every)
    plan, runs = explain(planner, wants)
    costs = _costs(costs_path, plan.order) if costs_path else {}
    if as_json:
        body = plan.to_json() | {"runs": runs, "wants": [w.to_json() for w in wants]}
        if costs_path:
            body["cost"] = costs
        click.echo(orjson.dumps(body, option=orjson.OPT_INDENT_2).decode())
        return
    if costs_path:
        runs = {n: f"{runs[n]}; {_per_run(costs.get(n))}" for n in runs}
    click.echo(plan.explain(runs))


def _costs(path: Path, nodes: tuple[str, ...]) -> dict[str, Any]:
    """Per node, mean worker and Triton milliseconds per run measured in a --stats file."""
    try:
        features = orjson.loads(path.read_bytes()).get("features", {})
    except (OSError, orjson.JSONDecodeError) as exc:
        raise click.BadParameter(f"cannot read {path}: {exc}", param_hint="--costs") from None
    out: dict[str, Any] = {}
    for node in nodes:
        entry = features.get(node) or {}
        runs, cost = entry.get("computed"), entry.get("cost")
        if runs and cost:
            out[node] = {
                "worker_ms": round(1000 * cost["worker_s"] / runs, 3),
                "triton_ms": round(1000 * cost["triton_s"] / runs, 3),
                "runs": runs,
            }
    return out


def _per_run(cost: dict[str, Any] | None) -> str:
    if cost is None:
        return "cost not measured"
    return f"{cost['worker_ms']:g} ms worker + {cost['triton_ms']:g} ms Triton per run"
