"""Remote work done for a node, credited without threading it through calls.

The executor opens an accumulator for each node (each node runs in its own task, so in its own
context); the Triton client credits every request to whatever node is current: the time it
waited and how many images (batch rows) it sent to which model. Neither needs to know the
other: both only know this module. The images are what the node's share of the model's
compute time is reckoned from (`orchestrator.cost`).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class RemoteUse:
    seconds: float = 0.0  # waiting on Triton
    images: dict[str, int] = field(default_factory=dict)  # model -> inferences requested


_REMOTE: ContextVar[RemoteUse | None] = ContextVar("framegraph_remote", default=None)


def remote_accumulator() -> RemoteUse:
    """Start crediting remote work to the current task's node; returns the accumulator."""
    acc = RemoteUse()
    _REMOTE.set(acc)
    return acc


def credit_remote(seconds: float, model: str | None = None, images: int = 0) -> None:
    """Called by remote clients (Triton) after each request."""
    acc = _REMOTE.get()
    if acc is not None:
        acc.seconds += seconds
        if model is not None and images:
            acc.images[model] = acc.images.get(model, 0) + images
