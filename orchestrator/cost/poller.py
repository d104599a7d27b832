"""Triton's compute seconds per inference, from its own per-model statistics.

Every `period_s` the poller reads `get_inference_statistics` and takes differences. A
model's compute time over the interval is the sum of its `batch_stats` (input, infer and
output of each *execution*: a batch of eight counts once, where the per-request
`inference_stats` would count it eight times); divided by the inferences it ran, that is
the mean compute per inference, and so the share of a batched execution each inference
carries. An ensemble costs the sum of its steps' means (each of its inferences runs each
step once). A node that sent n images to a model is charged n times that mean.

The statistics cover every client of the server (other streams too): the mean is the
model's, each worker charges only the inferences it asked for.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any, Protocol

from orchestrator.cost.ledger import CostLedger

log = logging.getLogger(__name__)
PERIOD_S = 1.0


class StatsSource(Protocol):
    """What the poller reads from Triton (a `TritonClient`, or a session holding one, which
    may also keep the `initial_statistics` it read on connecting: the first baseline)."""

    async def model_statistics(self) -> list[dict[str, Any]] | None:
        """`get_inference_statistics(as_json=True)["model_stats"]`; None when not connected."""

    async def model_steps(self, model: str) -> list[str]:
        """The models an ensemble's steps run (the model itself if it is not an ensemble)."""


def compute_counters(stats: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """model -> (inferences, compute nanoseconds over its executions)."""
    out: dict[str, tuple[int, int]] = {}
    for model in stats:
        ns = 0
        for batch in model.get("batch_stats") or []:
            for part in ("compute_input", "compute_infer", "compute_output"):
                ns += int((batch.get(part) or {}).get("ns", 0))
        inferences, total = out.get(model["name"], (0, 0))
        out[model["name"]] = (inferences + int(model.get("inference_count", 0)), total + ns)
    return out


class TritonCosts:
    def __init__(self, source: StatsSource, ledger: CostLedger, period_s: float = PERIOD_S):
        self.source = source
        self.ledger = ledger
        self.period = period_s
        self.per_inference: dict[str, float] = {}  # model -> seconds, last known
        self.prices: dict[str, float] = {}  # model the worker calls -> seconds per inference
        self._last: dict[str, tuple[int, int]] | None = None
        self._steps: dict[str, list[str]] = {}

    async def run(self) -> None:
        """Poll now (a baseline) and then every period until cancelled; a failed read is
        retried at the next period."""
        while True:
            try:
                await self.poll()
            except Exception as exc:  # Triton away: costs wait, the stream goes on
                log.debug("Triton statistics unavailable: %s", exc)
            await asyncio.sleep(self.period)

    async def poll(self) -> None:
        """Price what the ledger's nodes asked for since the last poll."""
        pending = self.ledger.take_pending()
        stats = await self.source.model_statistics()
        if stats is None:  # not connected yet: nothing can have been sent
            self.ledger.settle(pending, {})
            return
        now = compute_counters(stats)
        initial = getattr(self.source, "initial_statistics", None)
        if self._last is None and initial is not None:
            self._last = compute_counters(initial)
        if self._last is not None:
            for name, (inferences, ns) in now.items():
                before = self._last.get(name, (0, 0))
                if inferences > before[0]:
                    self.per_inference[name] = (ns - before[1]) / 1e9 / (inferences - before[0])
        self._last = now
        prices = {m: p for m in pending if (p := await self._price(m)) is not None}
        self.prices.update(prices)
        self.ledger.settle(pending, prices)

    async def _price(self, model: str) -> float | None:
        steps = self._steps.get(model)
        if steps is None:
            steps = self._steps[model] = await self.source.model_steps(model)
        total = 0.0
        for step in steps:
            price = self.per_inference.get(step)
            if price is None:
                return None
            total += price
        return total

    async def close(self, task: asyncio.Task[None] | None) -> None:
        """Stop polling and price what is left (the last frames of a run)."""
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(Exception):
            await self.poll()

    def describe(self) -> Mapping[str, float]:
        """Last known compute milliseconds per inference of the models the worker calls."""
        return {m: round(s * 1000, 3) for m, s in sorted(self.prices.items())}
