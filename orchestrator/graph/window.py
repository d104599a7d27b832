"""How much of the stream a feature looks at, and whether it must see frames in order.

Three shapes cover every feature we know: this frame only (`Window.frame()`), the last N
frames (`Window.last(n)`: each prerequisite arrives as a tuple of up to N values, oldest
first), and in-order state (`Window.in_order(factory)`: a tracker, a smoother). The last two
see frames strictly in sequence order whatever the number of frames in flight.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Window:
    """`frames` consecutive frames of input; `state` makes a fresh per-stream state object."""

    frames: int = 1
    state: Callable[[], Any] | None = None

    @classmethod
    def frame(cls) -> Window:
        return cls(1)

    @classmethod
    def last(cls, frames: int) -> Window:
        return cls(frames)

    @classmethod
    def in_order(cls, state: Callable[[], Any], frames: int = 1) -> Window:
        return cls(frames, state)

    @property
    def ordered(self) -> bool:
        """Must this feature see frames one after another, in sequence order?"""
        return self.frames > 1 or self.state is not None

    def describe(self) -> str:
        if self.state is not None:
            return "in order" if self.frames == 1 else f"in order, last {self.frames}"
        return "this frame" if self.frames == 1 else f"last {self.frames}"
