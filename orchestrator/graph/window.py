"""How much of the stream a feature looks at, and whether it must see frames in order.

Four shapes cover every feature we know:
- this frame only (`Window.frame()`);
- a sliding window (`Window.last(n)`): each prerequisite arrives as a tuple of up to N
  values, oldest first: the node's last N runs;
- in-order state (`Window.in_order(factory)`: a tracker, a smoother): it sees the frames
  it runs on, one after another;
- a tiling window (`Window.every(n)`): one result per block of N frames, blocks aligned to
  the stream's frame numbers (0..n-1, n..2n-1, ...), computed over the block and delivered
  with its last frame; the function also receives `block` (`BlockInfo`).

A window's length may be a parameter of the feature: `Window.last("window")` takes it from
the int parameter `window` (its default is the catalog's length; each node has its own).
All but the first see frames strictly in sequence order however many frames are in flight.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Window:
    """`frames` consecutive runs of input; `state` makes a fresh per-stream state object;
    `param` names the int parameter that sets `frames` per node; `tiling`: blocks."""

    frames: int = 1
    state: Callable[[], Any] | None = None
    param: str | None = None
    tiling: bool = False

    @classmethod
    def frame(cls) -> Window:
        return cls(1)

    @classmethod
    def last(cls, frames: int | str) -> Window:
        return cls(0, param=frames) if isinstance(frames, str) else cls(frames)

    @classmethod
    def every(cls, frames: int | str) -> Window:
        """A tiling window: one result per block of `frames` frames."""
        if isinstance(frames, str):
            return cls(0, param=frames, tiling=True)
        return cls(frames, tiling=True)

    @classmethod
    def in_order(cls, state: Callable[[], Any], frames: int = 1) -> Window:
        return cls(frames, state)

    @property
    def ordered(self) -> bool:
        """Must this feature see frames one after another, in sequence order?"""
        return self.frames > 1 or self.state is not None or self.tiling or self.param is not None

    @property
    def sliding(self) -> bool:
        """Does the feature receive tuples over its last runs?"""
        return not self.tiling and (self.frames > 1 or self.param is not None)

    def describe(self, frames: int | None = None) -> str:
        n = self.frames if frames is None else frames
        sized = f" ({self.param}={n})" if self.param else ""
        if self.tiling:
            return f"blocks of {n}{sized}"
        if self.state is not None:
            return "in order" if n == 1 else f"in order, last {n}"
        if self.param:
            return f"last {n}{sized}"
        return "this frame" if n == 1 else f"last {n}"
