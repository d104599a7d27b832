"""What windowed nodes remember: their last runs (sliding) or the current block (tiling).

A windowed node's memory lives in its lane, not in a ring of whole frames: each run keeps
one `Row`, the frame's info and the prerequisites' results the node reads. So memory is
what the windows can reach, whatever the rates:

- sliding (`Window.last(n)`): the node's last N runs, which at a reduced rate reach back
  further than N stream frames (motion at `every=5` compares frames 5 apart);
- tiling (`Window.every(n)`): the rows of the open block. Blocks are aligned to frame
  numbers: block b holds frames b*n .. b*n+n-1. A block closes with its last frame; when
  that frame was never analysed (a bad line, a dropped frame), the block closes on the next
  frame the node sees. At most one block is delivered per frame, so a closed block waits
  for the next frame when two close at once. At end of stream the open block (and any
  waiting one) is flushed: `ended` says the stream stopped inside it.

Frames of a window whose prerequisites failed are gaps: they count in the window (a
sliding window warms up again; a block reports them in `gaps`) but carry no values.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, ClassVar

from orchestrator.engine.frame import FrameInfo


@dataclass(frozen=True)
class Row:
    """One run of a windowed node: the frame's info and the prerequisites it had."""

    seq: int
    info: FrameInfo | None
    results: dict[str, Any]


@dataclass(frozen=True)
class BlockInfo:
    """Where a tiling result comes from, for the feature and, through it, the client."""

    JSON: ClassVar[str] = "{first, last, frames, analysed, gaps, ended}"

    first: int  # first frame number of the block
    last: int  # last frame number (at end of stream: the stream's last frame)
    analysed: int  # frames of the block with every prerequisite's result
    ended: bool = False  # the stream ended inside this block

    @property
    def frames(self) -> int:
        return self.last - self.first + 1

    @property
    def gaps(self) -> int:
        """Frames of the block without values: not analysed, failed, or before subscribing."""
        return self.frames - self.analysed

    def to_json(self) -> dict[str, Any]:
        return {
            "first": self.first,
            "last": self.last,
            "frames": self.frames,
            "analysed": self.analysed,
            "gaps": self.gaps,
            "ended": self.ended,
        }


@dataclass
class Block:
    index: int
    size: int
    rows: list[Row] = field(default_factory=list)
    ended_at: int | None = None  # the stream's last frame, when it ended inside the block

    def info(self, analysed: int) -> BlockInfo:
        first = self.index * self.size
        last = first + self.size - 1 if self.ended_at is None else self.ended_at
        return BlockInfo(first, last, analysed, self.ended_at is not None)


class Blocks:
    """The blocks of one tiling node: rows are added in frame order."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._open: Block | None = None
        self._ready: deque[Block] = deque()

    def add(self, row: Row) -> None:
        index = row.seq // self.size
        if self._open is not None and self._open.index != index:
            self._ready.append(self._open)  # its last frame never came
            self._open = None
        if self._open is None:
            self._open = Block(index, self.size)
        self._open.rows.append(row)
        if row.seq % self.size == self.size - 1:
            self._ready.append(self._open)
            self._open = None

    def take(self) -> Block | None:
        """The block to compute on the current frame, if one is closed."""
        return self._ready.popleft() if self._ready else None

    def flush(self, last_seq: int) -> list[Block]:
        """At end of stream: the waiting blocks and the open one, marked as ended."""
        out = list(self._ready)
        self._ready.clear()
        if self._open is not None:
            self._open.ended_at = last_seq
            out.append(self._open)
            self._open = None
        return out

    def __len__(self) -> int:
        """Rows held (memory)."""
        return sum(len(b.rows) for b in self._ready) + (len(self._open.rows) if self._open else 0)
