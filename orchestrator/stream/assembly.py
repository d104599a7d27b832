"""Assembling a worker with what its plan needs: the one place `run` and `serve` share.

Plans without neural features open nothing; plans with them connect to the given Triton or
start the embedded one (only with the plan's models), and close it at exit. `lazy` (serve,
whose plan changes at run time) connects only when a plan first needs a model, so a
CPU-only service never starts a server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from orchestrator.decode.base import Decoder
from orchestrator.graph import Catalog
from orchestrator.models import Model
from orchestrator.stream.pipeline import PipelineConfig
from orchestrator.stream.worker import Worker


@asynccontextmanager
async def open_worker(
    catalog: Catalog,
    models: Sequence[Model],
    triton_url: str | None,
    *,
    config: PipelineConfig,
    decoder: Decoder,
    lazy: bool = False,
    max_subscribers: int = 256,
) -> AsyncIterator[Worker]:
    """A worker whose features can reach `models`; Triton and the decoder closed at exit."""
    try:
        if not models:
            yield Worker(catalog, config, decoder, max_subscribers=max_subscribers)
            return
        from orchestrator.triton.session import triton_session

        async with triton_session(models, triton_url, lazy=lazy) as session:
            yield Worker(catalog, config, decoder, session, max_subscribers=max_subscribers)
    finally:
        decoder.close()


async def remote_stats(worker: Worker) -> dict[str, Any]:
    """Per-run statistics of the worker's Triton session (empty without one)."""
    stats = getattr(worker.triton, "stats", None)
    return await stats() if stats is not None else {}
