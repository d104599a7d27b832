"""`framegraph serve`: stdin frames to an HTTP (and gRPC) API that many clients subscribe to.

    framegraph encode clip.mp4 --fps 10 | framegraph serve --port 8080 --grpc-port 50051
    framegraph serve --no-stream --port 8080      # one-shot analysis only (POST /analyze)

Each client asks for its own subset of features (SSE on /events, a WebSocket on /ws, or
gRPC Subscribe); the planner runs the union of all current subsets, every prerequisite once
per frame. Any client can also have single images analysed (POST /analyze, gRPC Analyze).
"""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING

import click

from orchestrator.cli.options import parse_features
from orchestrator.cli.run import make_config, open_decoder, pipeline_options
from orchestrator.delivery.resume import MAX_GRACE
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
    "--grpc-port",
    type=click.IntRange(0, 65535),
    help="Also serve the gRPC API (framegraph.v1) on this port (0: any free port, printed).",
)
@click.option(
    "--no-stream",
    is_flag=True,
    help="Do not read stdin: a pure analysis service (POST /analyze, gRPC Analyze).",
)
@click.option(
    "--grace",
    type=click.FloatRange(0, MAX_GRACE),
    default=10.0,
    show_default=True,
    help="Seconds a subscription outlives a lost connection, for its client to resume.",
)
@click.option(
    "--resume-frames",
    type=click.IntRange(0, 100_000),
    default=300,
    show_default=True,
    help="Recent frames whose events are kept for clients that resume.",
)
@click.option(
    "--resume-mb",
    type=click.FloatRange(0, 4096),
    default=32.0,
    show_default=True,
    help="Memory cap of those kept events (MiB).",
)
@click.option(
    "--max-analyses",
    type=click.IntRange(1, 1024),
    default=4,
    show_default=True,
    help="Concurrent one-shot analyses; more are refused with 503 / RESOURCE_EXHAUSTED.",
)
@click.option(
    "--max-image-bytes",
    type=click.IntRange(1024),
    default=16 * 1024 * 1024,
    show_default=True,
    help="Largest image a one-shot analysis accepts.",
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
    help="Require 'Authorization: Bearer TOKEN', or a browser login with it (not on "
    "/healthz, /readyz, /metrics, nor the viewer's page).",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    metavar="ORIGIN",
    callback=lambda ctx, param, value: _origins(value),
    help="Let pages of this origin (e.g. https://dash.example.com) use the API from a "
    "browser: CORS, WebSocket, SSE. Repeatable; none by default.",
)
@click.option(
    "--session-ttl",
    type=click.FloatRange(min=1),
    default=3600.0,
    show_default=True,
    help="Seconds a browser login (session cookie) lasts, with --token.",
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
    grpc_port: int | None,
    no_stream: bool,
    grace: float,
    resume_frames: int,
    resume_mb: float,
    max_analyses: int,
    max_image_bytes: int,
    host: str,
    token: str | None,
    cors_origins: tuple[str, ...],
    session_ttl: float,
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
    max_line_bytes: int,
    retry_within: float,
) -> None:
    """Serve the analysis of the frames on stdin to many clients over HTTP.

    \b
    GET  /                    the live viewer (a web page)
    GET  /features            the catalog
    GET  /plan?features=a,b   a plan explained (without features: the live plan, with costs)
    GET  /subscriptions       who is subscribed to what, at which rate, and what each costs
    GET  /events?features=a,b(x=1)&every=K&policy=latest|lossless   Server-Sent Events
    WS   /ws                  the same events; subscribe / change / unsubscribe at run time
    POST /analyze?features=a,b   one image (body: the image, or JSON with base64)
    GET  /healthz /readyz /metrics
    gRPC framegraph.v1.Framegraph (--grpc-port), grpc.health.v1, reflection
    POST /session             browser login with the token (a session cookie)
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
        cors_origins=cors_origins,
        session_ttl=session_ttl,
        default_features=defaults,
        default_policy=policy,  # type: ignore[arg-type]
        max_subscribers=max_subscribers,
        max_connections=max_connections,
        queue=queue,
        max_queue=max_queue,
        max_message_bytes=max_message_bytes,
        heartbeat=heartbeat,
        send_timeout=send_timeout,
        grace=grace,
        resume_frames=resume_frames,
        resume_bytes=int(resume_mb * 1024 * 1024),
        max_analyses=max_analyses,
        max_image_bytes=max_image_bytes,
        no_stream=no_stream,
    )
    config = make_config(
        lossless,
        max_in_flight,
        backlog,
        max_pixels,
        max_line_bytes=max_line_bytes,
        retry_within=retry_within,
    )
    code = asyncio.run(
        _serve(
            catalog,
            settings,
            config,
            open_decoder(decoder),
            triton_url,
            host,
            port,
            grpc_port,
            linger,
            log_level,
            access_log,
        )
    )
    sys.exit(code)


def _origins(values: tuple[str, ...]) -> tuple[str, ...]:
    """Each --cors-origin as browsers write it; a bad one is a usage error."""
    from orchestrator.http.origins import normalise

    out = []
    for value in values:
        origin = normalise(value)
        if origin is None:
            raise click.BadParameter(
                f"{value!r} is not an origin like https://host[:port]", param_hint="--cors-origin"
            )
        out.append(origin)
    return tuple(dict.fromkeys(out))


async def _serve(
    catalog: Catalog,
    settings: Settings,
    config: PipelineConfig,
    decoder: Decoder,
    triton_url: str | None,
    host: str,
    port: int,
    grpc_port: int | None,
    linger: float,
    log_level: str,
    access_log: bool,
) -> int:
    from orchestrator.http import Service
    from orchestrator.http.server import Runner
    from orchestrator.stream import process
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
        service = Service(worker, settings)
        process.tune()  # after start-up: what is allocated by now lives as long as we do
        runner = Runner(
            service,
            # read with os.read on its descriptor: no buffer lock at exit
            None if settings.no_stream else sys.stdin.buffer,
            host=host,
            port=port,
            linger=linger,
            log_level=log_level,
            access_log=access_log,
        )
        grpc_server = None
        if grpc_port is not None:
            from orchestrator.rpc.server import GrpcServer

            grpc_server = GrpcServer(service, host=host, port=grpc_port)
        with runner.signals():
            if grpc_server is not None:  # first: a client that got the HTTP port can call both
                await grpc_server.start()
                if grpc_port == 0:
                    click.echo(f"framegraph: gRPC listening on {host}:{grpc_server.port}", err=True)
            try:
                await runner.start()
                if grpc_server is not None:  # the stream is open now: health says so at once
                    await grpc_server.refresh()
                if port == 0:
                    click.echo(f"framegraph: listening on http://{host}:{runner.port}", err=True)
                await runner.wait()
            finally:
                if grpc_server is not None:
                    await grpc_server.stop()
    return 0
