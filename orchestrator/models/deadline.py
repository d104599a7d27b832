"""The frame's deadline, seen by inference calls without being passed along.

The executor sets it in each node's task (every node runs in a task of its own, so a
context variable is per node); the Triton client reads it to decide how long a failed
request may still be retried (a model reload, a server restart). Times are
`time.perf_counter()` values, like `Frame.arrived`.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Deadline:
    at: float  # perf_counter by which the frame's remote calls must be done, retries included
    window: float  # the seconds the frame was given from its arrival

    @classmethod
    def after(cls, arrived: float, window: float) -> Deadline:
        return cls(arrived + window, window)


_DEADLINE: ContextVar[Deadline | None] = ContextVar("framegraph_deadline", default=None)


def set_deadline(deadline: Deadline | None) -> None:
    """The current node's frame must be done (remote retries included) by `deadline`."""
    _DEADLINE.set(deadline)


def current_deadline() -> Deadline | None:
    """The deadline of the frame being computed in this task; None outside a frame."""
    return _DEADLINE.get()
