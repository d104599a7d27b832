"""`framegraph triton`: the embedded Triton server in the foreground, until Ctrl-C or SIGTERM.

Handy to share one server between several `framegraph run --triton-url ...` workers on one
machine, or to poke at the models with Triton's own clients. It runs in explicit model-control
mode: `framegraph models reload NAME` puts a model's new version live while workers stream.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

import click

from orchestrator.triton.embedded import EmbeddedTriton, TritonStartupError


def _split(_ctx: click.Context, _param: click.Parameter, value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        raise click.BadParameter("name at least one model")
    return names


@click.command("triton")
@click.option("--http-port", type=int, default=8000, show_default=True, help="0 picks a free one.")
@click.option("--grpc-port", type=int, default=8001, show_default=True, help="0 picks a free one.")
@click.option("--metrics-port", type=int, default=8002, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--model-repository",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Default: $FRAMEGRAPH_MODEL_REPOSITORY, else the project's model_repository/.",
)
@click.option(
    "--models", callback=_split, default=None, help="Comma-separated models to load (default all)."
)
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Keep the server's log here (default: a temporary file).")
@click.option("--startup-timeout", type=float, default=120.0, show_default=True)
def triton_command(
    http_port: int,
    grpc_port: int,
    metrics_port: int,
    host: str,
    model_repository: Path | None,
    models: list[str] | None,
    log_file: Path | None,
    startup_timeout: float,
) -> None:
    """Run the embedded Triton Inference Server (CPU) on the model repository."""
    server = EmbeddedTriton(
        model_repository,
        models,
        host=host,
        http_port=http_port,
        grpc_port=grpc_port,
        metrics_port=metrics_port,
        startup_timeout=startup_timeout,
        log_path=log_file,
    )
    stopping = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        click.echo(f"starting Triton on {server.model_repository} ...", err=True)
        try:
            server.start()
        except TritonStartupError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(
            f"Triton ready in {server.startup_seconds:.2f} s (pid {server.pid})\n"
            f"  grpc     {server.grpc_url}\n"
            f"  http     {server.http_url}\n"
            f"  metrics  {server.metrics_url}\n"
            f"  log      {server.log_path}\n"
            f"New model versions: framegraph models reload NAME --triton-url {server.grpc_url}\n"
            "Ctrl-C to stop.",
            err=True,
        )
        while not stopping.wait(0.5):
            if not server.running:
                tail = server.log_tail(20)
                raise click.ClickException(f"Triton exited unexpectedly:\n{tail}")
        click.echo("stopping Triton ...", err=True)
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("Triton stopped.", err=True)
    sys.stderr.flush()
