"""`framegraph features`: the catalog."""

from __future__ import annotations

import click
import orjson

from orchestrator.features import default_catalog


@click.command("features")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--all", "show_all", is_flag=True, help="Include internal nodes.")
def features_command(as_json: bool, show_all: bool) -> None:
    """List the features on offer: what each needs, its window, where it runs, and the
    parameters a request may set (`persons(min_score=0.3)`)."""
    catalog = default_catalog()
    chosen = sorted((f for f in catalog if f.public or show_all), key=lambda f: f.name)
    entries = [f.describe() | {"public": f.public} for f in chosen]
    if as_json:
        click.echo(orjson.dumps(entries, option=orjson.OPT_INDENT_2).decode())
        return
    width = max(len(e["name"]) for e in entries)
    params = {f.name: f.parameters for f in chosen}
    for e in entries:
        needs = ", ".join(e["needs"]) or "-"
        click.echo(
            f"{e['name']:<{width}}  {e['window']:<12} {e['runs_in']:<7} needs: {needs}\n"
            f"{'':<{width}}  {e['description']}"
        )
        for p in params[e["name"]]:
            click.echo(f"{'':<{width}}  {p.name}={p.default!r}: {p.bounds}; {p.doc}")
