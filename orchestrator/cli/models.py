"""`framegraph models`: see and update the models of a running Triton.

    framegraph models list   [--triton-url HOST:PORT] [--json]
    framegraph models reload NAME [NAME ...] [--triton-url HOST:PORT]

`reload` puts a new version live (a new version folder, or edited files, in the model
repository) while streams run, with no failed request: see `orchestrator/triton/reload.py`.
It needs a server in explicit model-control mode, as `framegraph triton` and the embedded
server run.
"""

from __future__ import annotations

import sys
from typing import Any

import click
import orjson

DEFAULT_URL = "127.0.0.1:8001"  # `framegraph triton`'s gRPC port

url_option = click.option(
    "--triton-url",
    metavar="HOST:PORT",
    default=DEFAULT_URL,
    show_default=True,
    envvar="FRAMEGRAPH_TRITON_URL",
    show_envvar=True,
    help="Triton gRPC endpoint.",
)


def _client(url: str) -> Any:
    import tritonclient.grpc as grpcclient
    from tritonclient.utils import InferenceServerException

    client = grpcclient.InferenceServerClient(url)
    try:
        if not client.is_server_live(client_timeout=5.0):
            raise click.ClickException(f"Triton at {url} is not live")
    except InferenceServerException as exc:
        raise click.ClickException(f"Triton unreachable at {url}: {exc.message()}") from None
    return client


@click.group("models")
def models_command() -> None:
    """The models of a running Triton: list them, put new versions live."""


@models_command.command("list")
@url_option
@click.option("--json", "as_json", is_flag=True, help="The repository index as JSON.")
def list_command(triton_url: str, as_json: bool) -> None:
    """Every model of the repository: version, state and why (when not ready)."""
    index = _client(triton_url).get_model_repository_index(as_json=True).get("models", [])
    if as_json:
        sys.stdout.buffer.write(orjson.dumps(index, option=orjson.OPT_INDENT_2) + b"\n")
        return
    for entry in index:
        reason = entry.get("reason", "").splitlines()[0] if entry.get("reason") else ""
        line = f"{entry['name']:<24} {entry.get('version', '-'):>7}  {entry.get('state', '-')}"
        click.echo(f"{line}  {reason}".rstrip())


@models_command.command("reload")
@click.argument("names", nargs=-1, required=True)
@url_option
def reload_command(names: tuple[str, ...], triton_url: str) -> None:
    """Put the new version of NAME live (its composing models first), without failing a
    request; the old version retires once its requests are done. A version that fails to
    load leaves the old one serving, and the command exits 1. So does an ensemble whose new
    config no longer matches the worker's declaration of it (its features' `Model`): workers
    would refuse it at their next start."""
    from orchestrator.features import default_catalog
    from orchestrator.triton.contract import check_model
    from orchestrator.triton.reload import ReloadError, reload

    declared = {m.name: m for m in default_catalog().models()}
    client = _client(triton_url)
    for name in names:
        try:
            switches = reload(client, name)
        except ReloadError as exc:
            raise click.ClickException(str(exc)) from None
        for switch in switches:
            click.echo(str(switch))
        if name in declared:
            mismatch = check_model(declared[name], client.get_model_config(name, as_json=True))
            if mismatch:
                raise click.ClickException(f"{name} is live but {mismatch}")
