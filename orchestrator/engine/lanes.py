"""In-order lanes: a windowed or stateful node sees the frames it runs on, one after another.

Frames are admitted in sequence order, and each admission takes a turn in the lane of
every ordered node of its plan: the node's run on frame k waits for the lane's previous
turn, however the frames' other nodes interleave. At a reduced rate a node runs on some
frames only; its lane then holds the frames it runs on, in order (a tracker at 2 per
second tracks across the frames it sees).

A lane owns the node's state and its window memory (`windows`). It lives as long as some
subscription needs the node, at whatever rate: a frame that skips the node leaves the
lane alone. When no subscription needs it any more the lane retires and its state and
memory are dropped once its last turn is done; a later subscription gets a fresh lane.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from orchestrator.engine.frame import Frame
from orchestrator.engine.windows import Blocks, Row
from orchestrator.graph.plan import Node


class Lane:
    def __init__(self, node: Node) -> None:
        self.node = node
        window = node.feature.window
        self.state: Any = window.state() if window.state else None
        self.history: deque[Row] | None = deque(maxlen=node.frames) if window.sliding else None
        self.blocks: Blocks | None = Blocks(node.frames) if window.tiling else None
        self._tail: asyncio.Future[None] | None = None

    def take_turn(self) -> tuple[asyncio.Future[None] | None, asyncio.Future[None]]:
        """(the previous turn to wait for, this turn to complete with `done`)."""
        prev, mine = self._tail, asyncio.get_running_loop().create_future()
        self._tail = mine
        return prev, mine

    def remember(self, frame: Frame) -> Row:
        """Keep this run's inputs (what the prerequisites have: failures are gaps); the
        frame's info without its encoded input, which only the frame's own nodes read."""
        info = frame.info
        if info is not None and info.source is not None:
            info = replace(info, source=None)
        row = Row(
            frame.seq,
            info,
            {d: frame.results[d] for d in self.node.needs if d in frame.results},
        )
        if self.history is not None:
            self.history.append(row)
        if self.blocks is not None:
            self.blocks.add(row)
        return row

    def retire(self) -> None:
        """Release the state and memory once the last turn taken is finished."""
        tail = self._tail
        if tail is None or tail.done():
            self._release()
        else:
            tail.add_done_callback(lambda _: self._release())

    def _release(self) -> None:
        self.state = None
        self.history = None
        self.blocks = None

    def rows(self) -> int:
        """Rows held for windows (memory)."""
        return len(self.history or ()) + len(self.blocks or ())


def done(prev: asyncio.Future[None] | None, mine: asyncio.Future[None]) -> None:
    """Complete a turn, but never before the turn before it (an early exit must not skip it)."""
    if prev is None or prev.done():
        if not mine.done():
            mine.set_result(None)
    else:
        prev.add_done_callback(lambda _: None if mine.done() else mine.set_result(None))


class Lanes:
    """The live lanes of one stream, keyed by node id."""

    def __init__(self) -> None:
        self._lanes: dict[str, Lane] = {}

    def retain(self, live: Iterable[str]) -> None:
        """Retire the lanes of nodes no subscription needs any more."""
        keep = set(live)
        for name in [n for n in self._lanes if n not in keep]:
            self._lanes.pop(name).retire()

    def get(self, node: Node) -> Lane:
        lane = self._lanes.get(node.id)
        if lane is None:
            lane = self._lanes[node.id] = Lane(node)
        return lane

    def __contains__(self, name: object) -> bool:
        return name in self._lanes

    def __iter__(self) -> Any:
        return iter(list(self._lanes.values()))
