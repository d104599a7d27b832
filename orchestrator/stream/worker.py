"""A stream worker: everything one stream process owns, assembled once.

`framegraph run` and `framegraph serve` differ only in who subscribes (stdout versus
HTTP clients); both build a `Worker` and run it on stdin.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from orchestrator.decode.base import Decoder
from orchestrator.decode.opencv import OpenCVDecoder
from orchestrator.delivery.hub import Hub
from orchestrator.engine.executor import Executor
from orchestrator.features import default_catalog
from orchestrator.graph import Catalog, Planner
from orchestrator.stream.pipeline import Pipeline, PipelineConfig
from orchestrator.telemetry import Telemetry


@dataclass
class Worker:
    config: PipelineConfig = field(default_factory=PipelineConfig)
    catalog: Catalog = field(default_factory=default_catalog)
    decoder: Decoder = field(default_factory=OpenCVDecoder)
    resources: Mapping[str, Any] = field(default_factory=dict)
    telemetry: Telemetry = field(default_factory=Telemetry)
    max_subscribers: int = 256

    def __post_init__(self) -> None:
        self.planner = Planner(self.catalog)
        self.hub = Hub(self.telemetry, self.max_subscribers)
        self.executor = Executor(self.catalog, self.resources, telemetry=self.telemetry)
        self.pipeline = Pipeline(self.planner, self.hub, self.decoder, self.executor, self.config)

    async def run(self, stream: BinaryIO, handle_signals: bool = True) -> None:
        """Run until end of input; SIGINT/SIGTERM stop intake and drain what is in flight."""
        loop = asyncio.get_running_loop()
        if handle_signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, self.pipeline.stop)
        try:
            await self.pipeline.run(stream)
        finally:
            if handle_signals:
                for sig in (signal.SIGINT, signal.SIGTERM):
                    loop.remove_signal_handler(sig)
