"""A stream worker: everything one stream process owns, assembled once.

`framegraph run` and `framegraph serve` differ only in who subscribes (stdout versus
HTTP clients); both build a `Worker` (through `stream.assembly`) and run it on stdin.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Protocol

import numpy as np

from orchestrator.cost import CostLedger, TritonCosts
from orchestrator.decode.base import Decoder
from orchestrator.decode.opencv import OpenCVDecoder
from orchestrator.delivery.hub import Hub
from orchestrator.engine.executor import Executor
from orchestrator.graph import Catalog, Planner
from orchestrator.models import Model, Outputs
from orchestrator.stream.pipeline import Pipeline, PipelineConfig
from orchestrator.telemetry import Telemetry


class Inference(Protocol):
    """The remote inference a worker holds (a Triton client or session): features call
    `infer`; readiness probes call `ready`; its request metrics go to the worker's registry."""

    telemetry: Telemetry

    async def infer(self, model: Model, batch: np.ndarray) -> Outputs: ...

    async def ready(self, models: Sequence[str]) -> tuple[bool, str]: ...


@dataclass
class Worker:
    catalog: Catalog
    config: PipelineConfig = field(default_factory=PipelineConfig)
    decoder: Decoder = field(default_factory=OpenCVDecoder)
    triton: Inference | None = None
    telemetry: Telemetry = field(default_factory=Telemetry)
    max_subscribers: int = 256

    def __post_init__(self) -> None:
        resources: dict[str, Any] = {}
        if self.triton is not None:
            self.triton.telemetry = self.telemetry
            resources["infer"] = self.triton.infer
        self.planner = Planner(self.catalog)
        self.hub = Hub(self.telemetry, self.max_subscribers)
        self.ledger = CostLedger(self.telemetry)
        self.hub.on_join, self.hub.on_leave = self.ledger.join, self.ledger.leave
        self.executor = Executor(self.catalog, resources, telemetry=self.telemetry)
        self.pipeline = Pipeline(
            self.planner, self.hub, self.decoder, self.executor, self.config, self.ledger
        )
        stats = self.triton if hasattr(self.triton, "model_statistics") else None
        self.costs = TritonCosts(stats, self.ledger) if stats is not None else None  # type: ignore[arg-type]

    def cost_summary(self) -> dict[str, Any]:
        """Costs of this run: per node, the totals, and Triton's compute per inference."""
        ledger = self.ledger
        out: dict[str, Any] = {
            "nodes": {n: ledger.node(n) for n in sorted(ledger.nodes)},
            "totals": ledger.totals(),
        }
        if self.costs is not None:
            out["triton_ms_per_inference"] = dict(self.costs.describe())
        return out

    async def run(self, stream: BinaryIO, handle_signals: bool = True) -> None:
        """Run until end of input; SIGINT/SIGTERM stop intake and drain what is in flight."""
        loop = asyncio.get_running_loop()
        if handle_signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, self.pipeline.stop)
        polling = asyncio.create_task(self.costs.run()) if self.costs else None
        try:
            await self.pipeline.run(stream)
        finally:
            if self.costs is not None:
                await self.costs.close(polling)
            if handle_signals:
                for sig in (signal.SIGINT, signal.SIGTERM):
                    loop.remove_signal_handler(sig)
