"""The `framegraph` command: one group, one module per subcommand."""

from __future__ import annotations

import importlib

import click

# (module, attribute) of each subcommand, so that `framegraph --help` imports nothing heavy.
COMMANDS = {
    "features": ("orchestrator.cli.features", "features_command"),
    "plan": ("orchestrator.cli.plan", "plan_command"),
    "run": ("orchestrator.cli.run", "run_command"),
    "encode": ("orchestrator.cli.encode", "encode_command"),
    "triton": ("orchestrator.cli.triton", "triton_command"),
    "models": ("orchestrator.cli.models", "models_command"),
    "serve": ("orchestrator.cli.serve", "serve_command"),
    "watch": ("orchestrator.cli.watch", "watch_command"),
    "analyze": ("orchestrator.cli.analyze", "analyze_command"),
    "bench": ("orchestrator.cli.bench", "bench_command"),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name]
        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="framegraph")
def cli() -> None:
    """Framegraph: live video analytics on demand.

    Frames arrive on stdin (one base64 image per line); each client asks for a subset of
    features; every prerequisite is computed once per frame.
    """


def main() -> None:
    cli()
