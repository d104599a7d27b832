"""In-order lanes: a windowed or stateful feature sees frames one after another.

Frames are admitted in sequence order, and each admission takes a turn in the lane of
every ordered feature of its plan: the node for frame k waits for the lane's turn of frame
k-1, however the frames' other nodes interleave. A lane owns the feature's state; when a
plan stops needing the feature, the lane retires and its state is dropped as soon as its
last turn is done. A later plan that wants the feature again gets a fresh lane.
"""

from __future__ import annotations

import asyncio
from typing import Any

from orchestrator.graph.feature import Feature


class Lane:
    def __init__(self, feature: Feature) -> None:
        self.feature = feature
        self.state: Any = feature.window.state() if feature.window.state else None
        self._tail: asyncio.Future[None] | None = None

    def take_turn(self) -> tuple[asyncio.Future[None] | None, asyncio.Future[None]]:
        """(the previous turn to wait for, this turn to complete with `done`)."""
        prev, mine = self._tail, asyncio.get_running_loop().create_future()
        self._tail = mine
        return prev, mine

    def retire(self) -> None:
        """Release the state once the last turn taken is finished."""
        tail = self._tail
        if tail is None or tail.done():
            self.state = None
        else:
            tail.add_done_callback(lambda _: setattr(self, "state", None))


def done(prev: asyncio.Future[None] | None, mine: asyncio.Future[None]) -> None:
    """Complete a turn, but never before the turn before it (an early exit must not skip it)."""
    if prev is None or prev.done():
        if not mine.done():
            mine.set_result(None)
    else:
        prev.add_done_callback(lambda _: None if mine.done() else mine.set_result(None))


class Lanes:
    """The live lanes of one stream, keyed by feature name."""

    def __init__(self) -> None:
        self._lanes: dict[str, Lane] = {}

    def for_plan(self, ordered: set[str], features: dict[str, Feature]) -> dict[str, Lane]:
        """Retire lanes the plan dropped; open lanes it added. Called once per admitted frame."""
        for name in [n for n in self._lanes if n not in ordered]:
            self._lanes.pop(name).retire()
        for name in ordered:
            if name not in self._lanes:
                self._lanes[name] = Lane(features[name])
        return self._lanes

    def __contains__(self, name: object) -> bool:
        return name in self._lanes
