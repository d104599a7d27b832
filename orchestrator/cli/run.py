"""`framegraph run`: stdin frames to one JSON line per input line on stdout."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import orjson

from orchestrator.cli.options import features_option, parse_wants, rate_options
from orchestrator.cli.writer import LineWriter
from orchestrator.decode.base import Decoder
from orchestrator.decode.payload import DEFAULT_MAX_PIXELS
from orchestrator.delivery.subscriber import Subscriber
from orchestrator.ingest.lines import DEFAULT_MAX_LINE_BYTES
from orchestrator.stream import process
from orchestrator.stream.assembly import open_worker, remote_stats
from orchestrator.stream.pipeline import PipelineConfig
from orchestrator.stream.worker import Worker
from orchestrator.telemetry.stats import summary


def pipeline_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options of every command that runs a stream (run, serve)."""
    for opt in reversed(
        [
            click.option(
                "--lossless",
                is_flag=True,
                help="Never drop frames: wait for the pipeline (and make the producer wait).",
            ),
            click.option(
                "--triton-url",
                metavar="HOST:PORT",
                help="Triton gRPC endpoint; without it an embedded server is started if needed.",
            ),
            click.option(
                "--decoder",
                type=click.Choice(["auto", "opencv", "dali"]),
                default="auto",
                show_default=True,
                help="auto: DALI on a GPU when installed, else OpenCV.",
            ),
            click.option(
                "--max-in-flight",
                type=click.IntRange(1, 256),
                default=4,
                show_default=True,
                help="Frames processed concurrently.",
            ),
            click.option(
                "--backlog",
                type=click.IntRange(1, 10_000),
                default=8,
                show_default=True,
                help="Input lines waiting to be decoded before live mode drops the oldest.",
            ),
            click.option(
                "--max-pixels",
                type=click.IntRange(1),
                default=DEFAULT_MAX_PIXELS,
                show_default=True,
                help="Reject images whose header declares more pixels.",
            ),
            click.option(
                "--max-line-bytes",
                type=click.IntRange(1),
                default=DEFAULT_MAX_LINE_BYTES,
                show_default=True,
                help="Longer input lines are reported too_large, never held in memory whole.",
            ),
            click.option(
                "--retry-within",
                type=click.FloatRange(min=0),
                default=2.0,
                show_default=True,
                metavar="SECONDS",
                help="Retry Triton requests that fail while a model reloads or the server "
                "restarts, until this long after the frame arrived (0: never).",
            ),
        ]
    ):
        fn = opt(fn)
    return fn


def make_config(
    lossless: bool,
    max_in_flight: int,
    backlog: int,
    max_pixels: int,
    timings: bool = False,
    *,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    retry_within: float = 2.0,
) -> PipelineConfig:
    return PipelineConfig(
        max_in_flight=max_in_flight,
        backlog=backlog,
        lossless=lossless,
        max_pixels=max_pixels,
        timings=timings,
        max_line_bytes=max_line_bytes,
        retry_within=retry_within,
    )


@click.command("run")
@features_option()
@rate_options
@pipeline_options
@click.option(
    "--timings",
    is_flag=True,
    help="Add queue/decode/Triton/worker/overhead milliseconds to each result.",
)
@click.option(
    "--stats",
    "stats_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a JSON summary here at exit: computations, deliveries, outcomes.",
)
def run_command(
    features: tuple[str, ...],
    rate: float | None,
    every: int | None,
    lossless: bool,
    triton_url: str | None,
    decoder: str,
    max_in_flight: int,
    backlog: int,
    max_pixels: int,
    max_line_bytes: int,
    retry_within: float,
    timings: bool,
    stats_path: Path | None,
) -> None:
    """Analyse the frames on stdin; print one JSON object per input line.

    Each line becomes exactly one event: {"type": "result", "frame": n, "features": {...},
    "errors": {...}}, {"type": "error", ...} for bad input, or {"type": "dropped", ...}.
    At a reduced rate (`--every 3`, `motion(every=3)`) a result holds the features due on
    its frame (none on the others). With a tiling feature (`activity`), a stream that ends
    inside a block ends with one more line: {"type": "end", "blocks": {...}}.
    """
    worker_config = make_config(
        lossless,
        max_in_flight,
        backlog,
        max_pixels,
        timings,
        max_line_bytes=max_line_bytes,
        retry_within=retry_within,
    )
    chosen = open_decoder(decoder)
    with remote_errors():
        code = asyncio.run(
            _run(features, rate, every, worker_config, triton_url, chosen, stats_path)
        )
    sys.exit(code)


@contextlib.contextmanager
def remote_errors() -> Iterator[None]:
    """Triton missing or mismatched at start-up: one clear line and exit 1, no traceback."""
    from orchestrator.triton.backend.install import BundleNotFound
    from orchestrator.triton.client import TritonError
    from orchestrator.triton.embedded import TritonStartupError

    try:
        yield
    except (TritonError, TritonStartupError, BundleNotFound) as exc:
        raise click.ClickException(str(exc)) from None


def open_decoder(choice: str) -> Decoder:
    """The `--decoder` choice, or a clear error saying how to get it."""
    from orchestrator.decode.choose import DecoderUnavailable, make_decoder

    try:
        return make_decoder(choice)
    except DecoderUnavailable as exc:
        raise click.ClickException(str(exc)) from None


def decoder_stats(decoder: Decoder, worker: Worker) -> dict[str, object]:
    frames = int(worker.telemetry.value("framegraph_frames_decoded_total"))
    seconds, cpu = worker.pipeline.decode_seconds, worker.pipeline.decode_cpu_seconds
    return {
        "name": decoder.name,
        "frames": frames,
        "seconds": round(seconds, 4),
        "ms_per_frame": round(1000 * seconds / frames, 3) if frames else None,
        "cpu_seconds": round(cpu, 4),  # the decode thread's CPU, payload checks included
        # frames decoded at 1/1, 1/2, 1/4, 1/8 of their size (models.pixels)
        "reduced": {str(f): n for f, n in worker.telemetry.reductions().items()},
    }


async def _run(
    features: tuple[str, ...],
    rate: float | None,
    every: int | None,
    config: PipelineConfig,
    triton_url: str | None,
    decoder: Decoder,
    stats_path: Path | None,
) -> int:
    from orchestrator.features import default_catalog
    from orchestrator.graph import Planner, Rate
    from orchestrator.graph.request import explain

    catalog = default_catalog()
    planner = Planner(catalog)
    wants = parse_wants(planner, features, rate, every)
    plan, runs = explain(planner, wants)
    async with open_worker(
        catalog, plan.models, triton_url, config=config, decoder=decoder
    ) as worker:
        process.tune()  # after start-up: what is allocated by now lives as long as we do
        sub = worker.hub.subscribe(
            wants, policy="backpressure", maxsize=64, rate=Rate.of(rate, every), every_frame=True
        )
        writer = asyncio.create_task(_write(sub, worker))
        try:
            await worker.run(sys.stdin.buffer)
        finally:
            await writer
        if stats_path:
            stats = summary(
                worker.telemetry,
                requested=[w.id for w in wants],
                plan=plan.to_json() | {"runs": runs},
                wants=[w.to_json() for w in wants],
                decoder=decoder_stats(decoder, worker),
                cost=worker.cost_summary(),
                **(await remote_stats(worker)),
            )
            stats_path.write_bytes(orjson.dumps(stats, option=orjson.OPT_INDENT_2))
    return 0


async def _write(sub: Subscriber, worker: Worker) -> None:
    """Write events as JSON lines, batching whatever is queued into one write."""
    writer = LineWriter(sys.stdout.buffer)
    try:
        if (
            await _write_events(sub, writer, worker.pipeline.stop) and sub.final
        ):  # a tiling feature's last block
            await writer.put([sub.end_event()])
    finally:
        await writer.close()
    if writer.broken:  # the reader went away: stop quietly, like any Unix filter
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


async def _write_events(sub: Subscriber, writer: LineWriter, stop: Callable[[], None]) -> bool:
    """Hand events to the writer until the end; False if the reader went away (the
    worker is then stopped and what is left is read and dropped)."""
    while (msg := await sub.get()) is not None:
        chunk = [msg.data]
        while len(sub) and (more := await sub.get()) is not None:
            chunk.append(more.data)
        if not await writer.put(chunk):
            stop()
            while await sub.get() is not None:
                pass
            return False
    return True
