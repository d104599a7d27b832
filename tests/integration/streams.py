"""Helpers for integration tests: run a stream worker on real frames against a real Triton."""

from __future__ import annotations

import asyncio
import base64
import io
import subprocess
import sys
from pathlib import Path

import orjson

from orchestrator.features import default_catalog
from orchestrator.stream.pipeline import PipelineConfig
from orchestrator.stream.worker import Worker
from orchestrator.triton.client import TritonClient

ROOT = Path(__file__).resolve().parents[2]
FRAMEGRAPH = [sys.executable, "-m", "orchestrator"]


def lines_of(jpegs: list[bytes]) -> bytes:
    return b"".join(base64.b64encode(j) + b"\n" for j in jpegs)


async def run_worker(url: str, data: bytes, features: list[str]) -> tuple[list[dict], Worker]:
    """An in-process worker with a real Triton client: (events, worker)."""
    client = TritonClient(url)
    catalog = default_catalog()
    try:
        await client.check(catalog.models())
        worker = Worker(catalog, PipelineConfig(lossless=True), triton=client)
        sub = worker.hub.subscribe(features, policy="backpressure")
        events: list[dict] = []

        async def read() -> None:
            while (msg := await sub.get()) is not None:
                events.append(orjson.loads(msg.data))

        reader = asyncio.create_task(read())
        await worker.run(io.BytesIO(data), handle_signals=False)
        await reader
        return events, worker
    finally:
        await client.close()


def framegraph(*args: str, stdin: bytes = b"", timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*FRAMEGRAPH, *args], input=stdin, capture_output=True, timeout=timeout, cwd=ROOT
    )
