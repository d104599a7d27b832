"""Remote work done for a node, credited without threading it through calls.

The executor opens an accumulator for each node (each node runs in its own task, so in its own
context); the Triton client credits every request to whatever node is current: the time it
waited and how many images (batch rows) it sent to which model. Neither needs to know the
other: both only know this module. The images are what the node's share of the model's
compute time is reckoned from (`orchestrator.cost`).
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class RemoteUse:
    images: dict[str, int] = field(default_factory=dict)  # model -> inferences requested
    spans: list[tuple[float, float]] = field(default_factory=list)  # (start, end) of each wait

    @property
    def seconds(self) -> float:
        """Time spent waiting on Triton: the union of the requests' spans, so concurrent
        requests (two nets at once) count their overlap once, not twice."""
        total, reach = 0.0, float("-inf")
        for start, end in sorted(self.spans):
            if end > reach:
                total += end - max(start, reach)
                reach = end
        return total


_REMOTE: ContextVar[RemoteUse | None] = ContextVar("framegraph_remote", default=None)


def remote_accumulator() -> RemoteUse:
    """Start crediting remote work to the current task's node; returns the accumulator."""
    acc = RemoteUse()
    _REMOTE.set(acc)
    return acc


def credit_remote(seconds: float, model: str | None = None, images: int = 0) -> None:
    """Called by remote clients (Triton) as each request ends, with its duration."""
    acc = _REMOTE.get()
    if acc is not None:
        end = time.perf_counter()
        acc.spans.append((end - seconds, end))
        if model is not None and images:
            acc.images[model] = acc.images.get(model, 0) + images
