"""The frame's deadline, seen by remote clients without being passed along.

The executor sets it in each node's task (every node runs in a task of its own, so a
context variable is per node); the Triton client reads it to decide how long a failed
request may still be retried (a model reload, a server restart). Times are
`time.perf_counter()` values, like `Frame.arrived`.
"""

from __future__ import annotations

from contextvars import ContextVar

_DEADLINE: ContextVar[float | None] = ContextVar("framegraph_deadline", default=None)


def set_deadline(deadline: float | None) -> None:
    """The current node's frame must be done (remote retries included) by `deadline`."""
    _DEADLINE.set(deadline)


def current_deadline() -> float | None:
    """The deadline of the frame being computed in this task; None outside a frame."""
    return _DEADLINE.get()
