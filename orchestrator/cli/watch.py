"""`framegraph watch`: subscribe to a `framegraph serve` and print its events as JSON lines.

    framegraph watch http://localhost:8080 --features motion,scene.cut

Every event is printed as the server sent it, one per line, `subscribed` first and `end`
last, so the output pipes into `jq` or a script. When the connection breaks, watch
reconnects by itself and resumes the subscription (`orchestrator.client.resume`): the
missed frame events follow a second `subscribed` (with `"resumed": true`), each exactly
once. Exit status: 0 when the stream ended (or --count was reached), 1 when the service
refused or the connection could not be resumed, 3 when the server cut this client off
(e.g. too slow for `lossless`).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator

import click
import httpx
import orjson

from orchestrator.cli.options import rate_options
from orchestrator.client import Client, Event, ServiceError
from orchestrator.client.resume import Cursor, StreamLostError, afollow, follow
from orchestrator.delivery.subscriber import END_OF_STREAM, POLICIES

FRAME_EVENTS = frozenset({"result", "error", "dropped"})


@click.command("watch")
@click.argument("url")
@click.option(
    "--features",
    "-f",
    multiple=True,
    metavar="A,B",
    help="Features to receive (default: the server's default subset).",
)
@click.option("--policy", type=click.Choice(POLICIES), help="Delivery policy (server default).")
@click.option("--queue", type=click.IntRange(1), help="Events queued for this client.")
@click.option("--ws", "use_ws", is_flag=True, help="Use the WebSocket instead of SSE.")
@rate_options
@click.option(
    "--grpc",
    "use_grpc",
    is_flag=True,
    help="Use gRPC (URL is then the --grpc-port address, host:port).",
)
@click.option(
    "--reconnect/--no-reconnect",
    default=True,
    show_default=True,
    help="Reconnect and resume when the connection breaks (within the server's grace).",
)
@click.option(
    "--token",
    envvar="FRAMEGRAPH_TOKEN",
    show_envvar=True,
    metavar="TOKEN",
    help="Bearer token, when the server requires one.",
)
@click.option("--count", "-n", type=click.IntRange(1), help="Stop after this many frame events.")
@click.option(
    "--idle-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Give up when the server is silent this long.",
)
def watch_command(
    url: str,
    features: tuple[str, ...],
    policy: str | None,
    queue: int | None,
    use_ws: bool,
    use_grpc: bool,
    reconnect: bool,
    rate: float | None,
    every: int | None,
    token: str | None,
    count: int | None,
    idle_timeout: float,
) -> None:
    """Print the events of a `framegraph serve` at URL (e.g. http://localhost:8080)."""
    names = ",".join(features) or None
    out = sys.stdout
    frames = 0
    try:
        with Client(url, token, idle_timeout=idle_timeout) as client:
            if use_grpc:
                events = _grpc_events(url, token, names, policy, queue, reconnect, rate, every)
            else:
                opener = _opener(client, names, policy, queue, use_ws, rate, every)
                events = follow(opener) if reconnect else opener(Cursor())
            for event in events:
                out.write(event.raw + "\n")
                out.flush()
                if event.type in FRAME_EVENTS:
                    frames += 1
                    if count and frames >= count:
                        return
                if event.type == "end":
                    code = event.data.get("code")
                    sys.exit(0 if code in (END_OF_STREAM, "shutdown") else 3)
    except ServiceError as exc:
        _fail(exc.status, exc.body or {"message": str(exc)})
    except BrokenPipeError:  # the reader of our output went away: stop quietly
        sys.stderr.close()
        return
    except StreamLostError as exc:
        _fail(None, {"error": "connection", "message": str(exc)})
    except (httpx.HTTPError, OSError) as exc:
        _fail(None, {"error": "connection", "message": f"{type(exc).__name__}: {exc}"})
    except KeyboardInterrupt:
        sys.exit(130)
    _fail(None, {"error": "connection", "message": "the stream closed without an end event"})


def _opener(
    client: Client,
    names: str | None,
    policy: str | None,
    queue: int | None,
    use_ws: bool,
    rate: float | None = None,
    every: int | None = None,
) -> Callable[[Cursor], Iterator[Event]]:
    """A function that opens the subscription, or resumes it when the cursor has one."""

    def sse(cursor: Cursor) -> Iterator[Event]:
        resume = cursor.query("sse")
        yield from client.events(names, policy, queue, resume, rate=rate, every=every)

    def ws(cursor: Cursor) -> Iterator[Event]:
        resume = cursor.query("ws")
        with client.connect(names, policy, queue, resume, rate=rate, every=every) as session:
            if names is None and resume is None:  # subscribe to the server's default subset
                ack = session.subscribe(None, policy, queue, rate=rate, every=every)
                yield Event.parse(orjson.dumps(ack))
            yield from session

    return ws if use_ws else sse


def _grpc_events(
    target: str,
    token: str | None,
    names: str | None,
    policy: str | None,
    queue: int | None,
    reconnect: bool,
    rate: float | None = None,
    every: int | None = None,
) -> Iterator[Event]:
    """The gRPC client's events, one at a time from a private event loop (watch blocks)."""
    from orchestrator.client.grpc import GrpcClient

    async def stream() -> AsyncGenerator[Event, None]:
        async with GrpcClient(target, token) as client:

            def opener(cursor: Cursor) -> AsyncIterator[Event]:
                return client.events(names, policy, queue, cursor, rate=rate, every=every)

            async for event in afollow(opener) if reconnect else opener(Cursor()):
                yield event

    loop = asyncio.new_event_loop()
    events = stream()
    try:
        while True:
            try:
                yield loop.run_until_complete(events.__anext__())
            except StopAsyncIteration:
                return
    finally:
        loop.run_until_complete(events.aclose())
        loop.close()


def _fail(status: int | None, body: dict[str, object]) -> None:
    detail = {"status": status, **body} if status else body
    click.echo(orjson.dumps({"type": "failed", **detail}).decode(), err=True)
    sys.exit(1)
