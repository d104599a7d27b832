"""`framegraph serve`: stdin frames to an HTTP API that many clients subscribe to.

    framegraph encode clip.mp4 --fps 10 | framegraph serve --port 8080

Each client asks for its own subset of features (SSE on /events, or a WebSocket on /ws);
the planner runs the union of all current subsets, every prerequisite once per frame.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING

import click

from orchestrator.cli.options import parse_features
from orchestrator.cli.run import make_config, open_decoder, pipeline_options
from orchestrator.delivery.subscriber import POLICIES

if TYPE_CHECKING:
    from orchestrator.decode.base import Decoder
    from orchestrator.graph import Catalog
    from orchestrator.http import Settings
    from orchestrator.stream.pipeline import PipelineConfig


@click.command("serve")
@click.option(
    "--port",
    "-p",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="TCP port (0: any free port, printed at start).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on (0.0.0.0 for every interface, e.g. in a container).",
)
@click.option(
    "--token",
    envvar="FRAMEGRAPH_TOKEN",
    show_envvar=True,
    metavar="TOKEN",
    help="Require 'Authorization: Bearer TOKEN' (not on /healthz, /readyz, /metrics).",
)
@click.option(
    "--features",
    "-f",
    multiple=True,
    metavar="A,B",
    help="Default subset for clients that name none ('persons(min_score=0.3)' allowed).",
)
@click.option(
    "--policy",
    type=click.Choice(POLICIES),
    default="latest",
    show_default=True,
    help="Default delivery policy for clients that name none.",
)
@click.option(
    "--queue",
    type=click.IntRange(1),
    default=64,
    show_default=True,
    help="Events queued per client by default.",
)
@click.option(
    "--max-queue",
    type=click.IntRange(1),
    default=1024,
    show_default=True,
    help="Largest queue a client may ask for.",
)
@click.option(
    "--max-subscribers",
    type=click.IntRange(1),
    default=256,
    show_default=True,
    help="Concurrent subscriptions (SSE and WebSocket together).",
)
@click.option(
    "--max-connections",
    type=click.IntRange(1),
    default=512,
    show_default=True,
    help="Concurrent event streams and WebSockets, subscribed or not.",
)
@click.option(
    "--max-message-bytes",
    type=click.IntRange(256),
    default=65536,
    show_default=True,
    help="Largest WebSocket message accepted from a client.",
)
@click.option(
    "--heartbeat",
    type=click.FloatRange(min=0.1),
    default=15.0,
    show_default=True,
    help="Seconds between keep-alive comments (SSE) and pings (WebSocket).",
)
@click.option(
    "--send-timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Cut off a client whose connection accepts nothing for this long.",
)
@click.option(
    "--linger",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Keep serving this many seconds after end of input ('inf': until signalled).",
)
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="info",
    show_default=True,
)
@click.option("--access-log/--no-access-log", default=True, show_default=True)
@pipeline_options
def serve_command(
    port: int,
    host: str,
    token: str | None,
    features: tuple[str, ...],
    policy: str,
    queue: int,
    max_queue: int,
    max_subscribers: int,
    max_connections: int,
    max_message_bytes: int,
    heartbeat: float,
    send_timeout: float,
    linger: float,
    log_level: str,
    access_log: bool,
    lossless: bool,
    triton_url: str | None,
    decoder: str,
    max_in_flight: int,
    backlog: int,
    max_pixels: int,
) -> None:
    """Serve the analysis of the frames on stdin to many clients over HTTP.

    \b
    GET  /features            the catalog
    GET  /plan?features=a,b   a plan explained (without features: the live plan, with costs)
    GET  /subscriptions       who is subscribed to what, at which rate, and what each costs
    GET  /events?features=a,b(x=1)&every=K&policy=latest|lossless   Server-Sent Events
    WS   /ws                  the same events; subscribe / change / unsubscribe at run time
    GET  /healthz /readyz /metrics
    """
    from orchestrator.features import default_catalog
    from orchestrator.graph import Planner
    from orchestrator.http import Settings

    catalog = default_catalog()
    defaults = tuple(parse_features(Planner(catalog), features)) if features else ()
    if queue > max_queue:
        raise click.BadParameter(f"{queue} is over --max-queue {max_queue}", param_hint="--queue")
    settings = Settings(
        token=token or None,
        default_features=defaults,
        default_policy=policy,  # type: ignore[arg-type]
        max_subscribers=max_subscribers,
        max_connections=max_connections,
        queue=queue,
        max_queue=max_queue,
        max_message_bytes=max_message_bytes,
        heartbeat=heartbeat,
        send_timeout=send_timeout,
    )
    config = make_config(lossless, max_in_flight, backlog, max_pixels)
    code = asyncio.run(
        _serve(
            catalog,
            settings,
            config,
            open_decoder(decoder),
            triton_url,
            host,
            port,
            linger,
            log_level,
            access_log,
        )
    )
    sys.exit(code)


async def _serve(
    catalog: Catalog,
    settings: Settings,
    config: PipelineConfig,
    decoder: Decoder,
    triton_url: str | None,
    host: str,
    port: int,
    linger: float,
    log_level: str,
    access_log: bool,
) -> int:
    from orchestrator.http import Service
    from orchestrator.http.server import Runner
    from orchestrator.stream.assembly import open_worker

    # Every model of the catalog: the plan changes at run time; `lazy` connects on first use.
    async with open_worker(
        catalog,
        catalog.models(),
        triton_url,
        config=config,
        decoder=decoder,
        lazy=True,
        max_subscribers=settings.max_subscribers,
    ) as worker:
        runner = Runner(
            Service(worker, settings),
            sys.stdin.buffer,  # read with os.read on its descriptor: no buffer lock at exit
            host=host,
            port=port,
            linger=linger,
            log_level=log_level,
            access_log=access_log,
        )
        with runner.signals():
            await runner.start()
            if port == 0:
                click.echo(f"framegraph: listening on http://{host}:{runner.port}", err=True)
            await runner.wait()
    return 0
