"""`framegraph watch`: subscribe to a `framegraph serve` and print its events as JSON lines.

    framegraph watch http://localhost:8080 --features motion,scene.cut

Every event is printed as the server sent it, one per line, `subscribed` first and `end`
last, so the output pipes into `jq` or a script. Exit status: 0 when the stream ended
(or --count was reached), 1 when the service refused or the connection failed, 3 when
the server cut this client off (e.g. too slow for `lossless`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import click
import httpx
import orjson

from orchestrator.cli.options import rate_options
from orchestrator.client import Client, Event, ServiceError
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
            for event in _events(client, names, policy, queue, use_ws, rate, every):
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
    except (httpx.HTTPError, OSError) as exc:
        _fail(None, {"error": "connection", "message": f"{type(exc).__name__}: {exc}"})
    except KeyboardInterrupt:
        sys.exit(130)
    _fail(None, {"error": "connection", "message": "the stream closed without an end event"})


def _events(
    client: Client,
    names: str | None,
    policy: str | None,
    queue: int | None,
    use_ws: bool,
    rate: float | None = None,
    every: int | None = None,
) -> Iterator[Event]:
    if not use_ws:
        yield from client.events(names, policy, queue, rate=rate, every=every)
        return
    with client.connect(names, policy, queue, rate=rate, every=every) as session:
        if names is None:  # no query subscription: ask for the server's default subset
            ack = session.subscribe(None, policy, queue, rate=rate, every=every)
            yield Event.parse(orjson.dumps(ack))
        yield from session


def _fail(status: int | None, body: dict[str, object]) -> None:
    detail = {"status": status, **body} if status else body
    click.echo(orjson.dumps({"type": "failed", **detail}).decode(), err=True)
    sys.exit(1)
