"""`framegraph analyze`: single images through the analysis, one JSON line per image.

    framegraph analyze photo.jpg shot.png --features persons,faces                  # locally
    framegraph analyze photo.jpg -f persons --url http://localhost:8080   # POST /analyze
    framegraph analyze photo.jpg -f persons --grpc localhost:50051        # gRPC Analyze

Locally, the embedded Triton is started when the features need a net (or `--triton-url`).
Each line is the service's `result` with `"source"` (the file), or an `error` event for
an image that is not usable (`{"type": "error", "source": ..., "error": {"code", "message"}}`),
in the order given. Exit status: 0 when every image was analysed, 1 when some could not be
(or the service could not be reached), 2 for features that cannot be asked for this way.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import click
import orjson

from orchestrator.cli.options import features_option, parse_features

Analyze = Callable[[bytes], Awaitable[dict[str, Any]]]


@click.command("analyze")
@click.argument("images", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@features_option()
@click.option("--url", metavar="URL", help="A `framegraph serve` (HTTP) to ask instead.")
@click.option("--grpc", "target", metavar="HOST:PORT", help="A `framegraph serve` gRPC port.")
@click.option(
    "--token",
    envvar="FRAMEGRAPH_TOKEN",
    show_envvar=True,
    metavar="TOKEN",
    help="Bearer token, when the server requires one.",
)
@click.option("--triton-url", metavar="HOST:PORT", help="Locally: this Triton, not the embedded.")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Images analysed at once.",
)
def analyze_command(
    images: tuple[Path, ...],
    features: tuple[str, ...],
    url: str | None,
    target: str | None,
    token: str | None,
    triton_url: str | None,
    concurrency: int,
) -> None:
    """Analyse IMAGES (JPEG, PNG, ...) with features that need no history."""
    from orchestrator.features import default_catalog
    from orchestrator.graph import Planner

    if url and target:
        raise click.UsageError("give --url or --grpc, not both")
    names = parse_features(Planner(default_catalog()), features)
    sys.exit(asyncio.run(_main(images, names, url, target, token, triton_url, concurrency)))


async def _main(
    images: tuple[Path, ...],
    names: list[str],
    url: str | None,
    target: str | None,
    token: str | None,
    triton_url: str | None,
    concurrency: int,
) -> int:
    from orchestrator.client import ServiceError

    try:
        if target:
            return await _remote_grpc(images, names, target, token, concurrency)
        if url:
            return await _remote_http(images, names, url, token, concurrency)
        return await _local(images, names, triton_url, concurrency)
    except ServiceError as exc:
        click.echo(orjson.dumps({"type": "failed", "status": exc.status, **exc.body}), err=True)
        return 2 if exc.code in ("unknown_feature", "needs_history", "no_features") else 1
    except (ConnectionError, OSError) as exc:
        message = f"{type(exc).__name__}: {exc}"
        click.echo(
            orjson.dumps({"type": "failed", "error": "connection", "message": message}), err=True
        )
        return 1


async def _local(
    images: tuple[Path, ...], names: list[str], triton_url: str | None, concurrency: int
) -> int:
    from orchestrator.engine.oneshot import AnalysisError, Analyzer
    from orchestrator.features import default_catalog
    from orchestrator.graph import Planner
    from orchestrator.telemetry import Telemetry

    planner = Planner(default_catalog())
    analyzer = Analyzer(planner, {}, Telemetry(), limit=concurrency)
    try:
        analyzer.check(names)
    except AnalysisError as exc:
        raise click.UsageError(exc.message) from None
    models = planner.plan(names).models
    if not models:
        return await _each(images, lambda data: analyzer.analyze(data, names), concurrency)
    from orchestrator.cli.run import remote_errors
    from orchestrator.triton.session import triton_session

    with remote_errors():
        async with triton_session(models, triton_url) as session:
            analyzer.executor.resources["infer"] = session.infer
            return await _each(images, lambda data: analyzer.analyze(data, names), concurrency)


async def _remote_http(
    images: tuple[Path, ...], names: list[str], url: str, token: str | None, concurrency: int
) -> int:
    from orchestrator.client import AsyncClient
    from orchestrator.client.protocol import error_from

    async with AsyncClient(url, token) as client:

        async def one(data: bytes) -> dict[str, Any]:
            params = {"features": ",".join(names)}
            response = await client.http.post("/analyze", params=params, content=data)
            if response.status_code != 200:
                raise error_from(response.status_code, response.content)
            return response.json()

        return await _each(images, one, concurrency)


async def _remote_grpc(
    images: tuple[Path, ...], names: list[str], target: str, token: str | None, concurrency: int
) -> int:
    from orchestrator.client.grpc import GrpcClient

    async with GrpcClient(target, token) as client:
        return await _each(images, lambda data: client.analyze(data, names), concurrency)


async def _each(images: tuple[Path, ...], analyze: Analyze, concurrency: int) -> int:
    """Analyse every image (`concurrency` at once); print their lines in the order given."""
    from orchestrator.client import ServiceError
    from orchestrator.decode.base import DecodeError

    limit = asyncio.Semaphore(concurrency)
    payload_codes = set(DecodeError.CODES)

    async def one(path: Path) -> dict[str, Any]:
        async with limit:
            try:
                data = path.read_bytes()
            except OSError as exc:
                return _error(path, "unreadable", f"{type(exc).__name__}: {exc.strerror}")
            try:
                return {"source": str(path), **(await analyze(data))}
            except DecodeError as exc:
                return _error(path, exc.code, exc.message)
            except ServiceError as exc:
                if exc.code not in payload_codes:
                    raise
                return _error(path, exc.code, str(exc))

    tasks = [asyncio.create_task(one(p)) for p in images]
    failed = 0
    try:
        for task in tasks:
            line = await task
            failed += line["type"] == "error"
            sys.stdout.buffer.write(orjson.dumps(line, option=orjson.OPT_SERIALIZE_NUMPY) + b"\n")
            sys.stdout.flush()
    finally:
        for task in tasks:
            task.cancel()
    return 1 if failed else 0


def _error(path: Path, code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "source": str(path), "error": {"code": code, "message": message}}
