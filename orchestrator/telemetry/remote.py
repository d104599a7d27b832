"""Time a node spent waiting on remote inference, credited without threading it through calls.

The executor opens an accumulator for each node (each node runs in its own task, so in its own
context); the Triton client credits every request's time to whatever node is current. Neither
needs to know the other: both only know this module.
"""

from __future__ import annotations

from contextvars import ContextVar

_REMOTE: ContextVar[list[float] | None] = ContextVar("framegraph_remote", default=None)


def remote_accumulator() -> list[float]:
    """Start crediting remote time to the current task's node; returns the accumulator."""
    acc = [0.0]
    _REMOTE.set(acc)
    return acc


def credit_remote(seconds: float) -> None:
    """Called by remote clients (Triton) after each request."""
    acc = _REMOTE.get()
    if acc is not None:
        acc[0] += seconds
