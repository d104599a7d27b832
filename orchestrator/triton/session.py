"""A Triton session for one run: connect (or start the embedded server), check, report.

Without a URL the embedded server is started, only with the models the plan needs, and
stopped at exit. With `lazy` (serve: the plan changes at run time) the connection is made
when a plan first needs a model, so a CPU-only service never starts a server.

While a lazy session is still connecting (the embedded server takes seconds to load its
models), requests fail at once with `TritonStarting` instead of waiting: the frames in
flight finish, so subscribers of CPU-only features keep getting every frame on time, and
the neural features say "starting" on each frame until Triton is ready.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import numpy as np

from orchestrator.models import Model, Outputs
from orchestrator.telemetry import Telemetry
from orchestrator.triton.client import TritonClient, TritonUnavailable, describe

RETRY_OPEN_S = 1.0  # a lazy session that failed to connect tries again after this long


class TritonStarting(TritonUnavailable):
    """Triton is being started or connected to; its features have no result yet."""


class LazyTriton:
    """Looks like a `TritonClient` to features; connects (or starts a server) on first use."""

    def __init__(self, models: Sequence[Model], url: str | None) -> None:
        self.models = tuple(models)
        self.url = url
        self.warm = False  # one request per model before `client` is set (lazy sessions)
        self._telemetry = Telemetry()
        self.server: Any = None
        self.client: TritonClient | None = None
        self.startup_seconds: float | None = None
        self._baseline: dict[str, dict[str, int]] = {}
        self.initial_statistics: list[dict[str, Any]] | None = None  # for cost attribution
        self._opening: asyncio.Task[TritonClient] | None = None
        self._failed_at = 0.0
        self._began = 0.0  # loop time the current attempt to open began

    @property
    def telemetry(self) -> Telemetry:
        return self._telemetry

    @telemetry.setter
    def telemetry(self, telemetry: Telemetry) -> None:
        """The worker's metrics: Triton request times and errors are counted there."""
        self._telemetry = telemetry
        if self.client is not None:
            self.client.telemetry = telemetry

    async def open(self) -> TritonClient:
        """Connect once; after a failure, the next call at least a second later tries again."""
        if self.client is not None:
            return self.client
        loop = asyncio.get_running_loop()
        task = self._opening
        failed = task is not None and task.done() and not task.cancelled() and task.exception()
        if failed and loop.time() - self._failed_at >= RETRY_OPEN_S:
            task = None
        if task is None:
            task = self._begin()
        return await asyncio.shield(task)

    def _begin(self) -> asyncio.Task[TritonClient]:
        loop = asyncio.get_running_loop()
        task = self._opening = loop.create_task(self._open())
        task.add_done_callback(lambda t: t.cancelled() or t.exception())  # seen, not lost
        self._began = loop.time()
        return task

    def _starting(self, model: str) -> TritonUnavailable:
        """Start opening in the background if needed; the error a request gets meanwhile."""
        loop = asyncio.get_running_loop()
        task = self._opening
        if task is not None and task.done() and not task.cancelled() and task.exception():
            if loop.time() - self._failed_at < RETRY_OPEN_S:
                return TritonUnavailable(f"{model}: {task.exception()}")
            task = None
        if task is None:
            self._begin()
        what = "starting the embedded server" if self.url is None else f"connecting to {self.url}"
        return TritonStarting(
            f"{model}: Triton is starting ({what}, {loop.time() - self._began:.0f} s so far); "
            "results follow once it is ready"
        )

    async def _open(self) -> TritonClient:
        url = self.url
        if url is None:
            from orchestrator.triton.embedded import EmbeddedTriton

            names = [m.name for m in self.models]
            self.server = EmbeddedTriton(models=names)
            await asyncio.to_thread(self.server.start)
            self.startup_seconds = self.server.startup_seconds
            url = self.server.grpc_url
            print(
                f"framegraph: embedded Triton ready at {url} in {self.startup_seconds:.1f} s "
                f"({', '.join(names)})",
                file=sys.stderr,
            )
        client = TritonClient(url, telemetry=self.telemetry)
        try:
            await client.check(self.models)
            if self.warm:
                await self._warm_up(client)
            self._baseline = await client.statistics()
            self.initial_statistics = await client.model_statistics()
        except BaseException:
            self._failed_at = asyncio.get_running_loop().time()
            await client.close()
            raise
        self.client = client
        return client

    async def _warm_up(self, client: TritonClient) -> None:
        """One request per model on zeros before the session says it is ready.

        A stream's first requests would otherwise pay for shared-memory registration, new
        connections and each post-processing stub's first call (114 ms instead of 24 for
        persons), and the frames behind them, CPU-only subscribers' included, would wait.
        """
        for model in self.models:
            spec = model.input_tensor
            zeros = np.zeros((1, *spec.dims), spec.numpy_dtype)
            try:
                await client.infer(model, zeros)
            except Exception as exc:  # a broken model still fails per frame, with its error
                print(f"framegraph: warm-up of {model.name} failed: {exc}", file=sys.stderr)

    # What the features call (`Infer`) ---------------------------------------------------
    async def infer(self, model: Model, batch: np.ndarray) -> Outputs:
        client = self.client
        if client is None:  # never wait for a server to start: fail this frame's node now
            raise self._starting(model.name)
        return await client.infer(model, batch)

    async def infer_when_ready(self, model: Model, batch: np.ndarray) -> Outputs:
        """`infer` for a one-shot call (no stream behind it to keep flowing): waits for the
        server to start instead of failing."""
        client = self.client or await self.open()
        return await client.infer(model, batch)

    @property
    def healthy(self) -> bool:
        """Connected, and not reconnecting (no waiting: for readiness at scrape time)."""
        return self.client is not None and self.client.healthy

    async def ready(self, models: Sequence[str]) -> tuple[bool, str]:
        """Readiness for `models`; asking starts connecting (a probe is what asks first)."""
        if not models:
            return True, "ok"
        if self.client is None:
            return False, str(self._starting(", ".join(models)))
        return await self.client.ready(models)

    async def model_statistics(self) -> list[dict[str, Any]] | None:
        """Triton's per-model statistics, or None before the first connection."""
        return None if self.client is None else await self.client.model_statistics()

    async def model_steps(self, model: str) -> list[str]:
        client = self.client or await self.open()
        return await client.model_steps(model)

    async def stats(self) -> dict[str, Any]:
        """Per-model inference/execution counts of this run (server totals minus start)."""
        if self.client is None:
            return {}
        now = await self.client.statistics()
        run = {}
        for name, s in now.items():
            base = self._baseline.get(name, {"inference_count": 0, "execution_count": 0})
            delta = {k: s[k] - base.get(k, 0) for k in s}
            if delta["inference_count"] or delta["execution_count"]:
                run[name] = delta
        out: dict[str, Any] = {"url": self.client.url, "models": describe(run)}
        if self.startup_seconds is not None:
            out["embedded_startup_seconds"] = round(self.startup_seconds, 2)
        out["reconnects"] = self.client.reconnects
        out["retries"] = self._retries()
        out["shared_memory"] = self.client.shared_memory
        return {"triton": out}

    def _retries(self) -> dict[str, int]:
        """Requests tried again, by reason (all models together)."""
        out: dict[str, int] = {}
        for metric in self._telemetry.triton_retries.collect():
            for sample in metric.samples:
                if sample.name.endswith("_total"):
                    why = sample.labels["reason"]
                    out[why] = out.get(why, 0) + int(sample.value)
        return out

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()
        if self.server is not None:
            await asyncio.to_thread(self.server.stop)


@asynccontextmanager
async def triton_session(
    models: Sequence[Model], url: str | None, *, lazy: bool = False
) -> AsyncIterator[LazyTriton]:
    session = LazyTriton(models, url)
    session.warm = lazy  # opened while frames flow: the first requests must not be slow
    try:
        if not lazy:
            await session.open()
        yield session
    finally:
        await session.close()
