"""The executor: runs each admitted frame's plan, node by node, as soon as inputs exist.

Each node of a frame waits only for its own prerequisites (no stage barriers), so
independent nodes run concurrently and several frames overlap. Ordered nodes (windows,
state, blocks) also wait for their lane's previous turn. A plain function whose inputs
are ready runs at once in the frame's task; coroutines (remote inference) and nodes that
must wait get tasks of their own. A node that
raises records an error for itself; its dependents record that they lacked the
prerequisite. Nothing is ever computed twice on a frame: the plan is the union of what
the frame's clients want on it.

Plans differ from frame to frame (rates); `live` is the plan of everything subscribed at
any rate, and lanes (state, window memory) live as long as it needs their node. Each
computed node records its timing: wall time, remote waits, worker CPU and the images it
sent to each Triton model, for cost attribution.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orchestrator.engine.binding import bind, usable
from orchestrator.engine.cputime import Timed
from orchestrator.engine.frame import FeatureError, Frame
from orchestrator.engine.lanes import Lane, Lanes, done
from orchestrator.engine.timing import NodeTiming
from orchestrator.engine.windows import Block
from orchestrator.graph.catalog import Catalog
from orchestrator.graph.plan import Node, Plan
from orchestrator.models.deadline import set_deadline
from orchestrator.telemetry import Telemetry
from orchestrator.telemetry.remote import remote_accumulator

Turn = tuple["asyncio.Future[None] | None", "asyncio.Future[None]"]
Slot = tuple[Node, "Lane | None", "Turn | None"]  # a node of the frame's plan, its lane and turn


@dataclass(frozen=True)
class Flushed:
    """A tiling node's block computed at end of stream (not tied to a frame)."""

    node: str
    value: Any
    cpu: float
    error: str | None = None


class Executor:
    """Computes plans on frames for one stream. `admit` must be called in sequence order."""

    def __init__(
        self,
        catalog: Catalog,
        resources: Mapping[str, Any] | None = None,
        *,
        telemetry: Telemetry | None = None,
    ) -> None:
        self.catalog = catalog.validate()
        self.needs: dict[str, tuple[str, ...]] = {f.name: f.needs for f in self.catalog}
        self.resources = dict(resources or {})
        self.telemetry = telemetry or Telemetry()
        self.lanes = Lanes()
        self._released = frozenset(f.name for f in self.catalog if f.model_input)

    def admit(self, frame: Frame, plan: Plan, live: Plan | None = None) -> asyncio.Task[Frame]:
        """Schedule every node of `plan` on `frame`; the task ends when all have run.
        `live`: everything subscribed now (default: this plan); lanes outside it retire.
        Lane turns are taken here, in admission (sequence) order."""
        live = live or plan
        self.lanes.retain(n for n in live.order if live.nodes[n].feature.window.ordered)
        slots: list[Slot] = []
        for name in plan.order:
            node = plan.nodes[name]
            lane = self.lanes.get(node) if node.feature.window.ordered else None
            slots.append((node, lane, lane.take_turn() if lane is not None else None))
        return asyncio.create_task(self._frame(frame, slots))

    async def _frame(self, frame: Frame, slots: list[Slot]) -> Frame:
        """Run the frame's nodes in plan order. A plain function whose prerequisites are
        done and whose lane turn has come runs at once, in this task; anything else (a
        coroutine, or a node that must wait) gets a task of its own that waits only for
        what it needs. A CPU-only plan thus costs one task per frame, not one per node."""
        tasks: dict[str, asyncio.Task[None]] = {}
        for node, lane, turn in slots:
            deps = [t for d in node.needs if (t := tasks.get(d)) is not None]
            waits = turn is not None and turn[0] is not None and not turn[0].done()
            if node.feature.is_async or deps or waits:
                tasks[node.id] = asyncio.create_task(self._node(frame, node, deps, lane, turn))
                continue
            try:
                self._step(frame, node, lane)
            finally:
                if turn is not None:
                    done(*turn)
        if tasks:
            await asyncio.gather(*tasks.values())
        frame.release(self._released)
        return frame

    async def _node(
        self,
        frame: Frame,
        node: Node,
        deps: list[asyncio.Task[None]],
        lane: Lane | None,
        turn: Turn | None,
    ) -> None:
        try:
            for dep in deps:
                await dep
            if turn is not None and turn[0] is not None:
                await turn[0]
            if node.feature.is_async:
                await self._async_step(frame, node, lane)
            else:
                self._step(frame, node, lane)
        finally:
            if turn is not None:
                done(*turn)

    def _step(self, frame: Frame, node: Node, lane: Lane | None) -> None:
        """Compute a plain function's node now; a failure is recorded, not raised."""
        try:
            kwargs = self._begin(frame, node, lane)
            if kwargs is None:
                return
            start, cpu = time.perf_counter(), time.thread_time()
            value = node.feature.fn(**kwargs)
            cpu = time.thread_time() - cpu
            self._record(frame, node, value, NodeTiming(start, time.perf_counter(), 0.0, cpu, {}))
        except Exception as exc:  # a feature's failure is data for this frame, not a crash
            self._failed(frame, node, exc)

    async def _async_step(self, frame: Frame, node: Node, lane: Lane | None) -> None:
        """Compute a coroutine's node in its own task, so its context credits it with the
        remote work done for it (`remote_accumulator`) and carries the frame's deadline."""
        try:
            kwargs = self._begin(frame, node, lane)
            if kwargs is None:
                return
            set_deadline(frame.deadline)
            remote = remote_accumulator()
            start = time.perf_counter()
            timed = Timed(node.feature.fn(**kwargs))
            value = await timed
            timing = NodeTiming(
                start, time.perf_counter(), remote.seconds, timed.cpu, dict(remote.images)
            )
            self._record(frame, node, value, timing)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a feature's failure is data for this frame, not a crash
            self._failed(frame, node, exc)

    def _begin(self, frame: Frame, node: Node, lane: Lane | None) -> dict[str, Any] | None:
        """The node's keyword arguments, or None when there is nothing to compute: a
        prerequisite failed (recorded as this node's error), the decoder made this model
        input already, or a tiling node only collected this frame."""
        feat, name = node.feature, node.id
        if lane is not None and (lane.history is not None or lane.blocks is not None):
            lane.remember(frame)
        failed = next((d for d in node.needs if d in frame.errors), None)
        if failed is not None and not feat.window.tiling:  # a block counts it as a gap
            root = frame.errors[failed]
            frame.errors[name] = FeatureError(
                f"needs {failed}: {root.message}" if root.cause is None else root.message,
                cause=root.cause or failed,
            )
            self.telemetry.feature_failed(name)
            return None
        if feat.model_input and name in frame.results:  # the decoder made it already
            return None
        return self._inputs(frame, node, lane)

    def _record(self, frame: Frame, node: Node, value: Any, timing: NodeTiming) -> None:
        name = node.id
        self.telemetry.computed(name, timing.end - timing.start)
        frame.timings[name] = timing
        frame.results[name] = value

    def _failed(self, frame: Frame, node: Node, exc: Exception) -> None:
        frame.errors[node.id] = FeatureError(f"{type(exc).__name__}: {exc}")
        self.telemetry.feature_failed(node.id)

    async def _call(self, node: Node, kwargs: dict[str, Any]) -> tuple[Any, float]:
        """The feature's value and the worker CPU seconds its own code took."""
        if node.feature.is_async:
            timed = Timed(node.feature.fn(**kwargs))
            value = await timed
            return value, timed.cpu
        start = time.thread_time()
        value = node.feature.fn(**kwargs)
        return value, time.thread_time() - start

    def _inputs(self, frame: Frame, node: Node, lane: Lane | None) -> dict[str, Any] | None:
        """Keyword arguments: prerequisites' results (tuples over the window), resources and
        parameters; None when a tiling node has no block to compute on this frame."""
        feat, state = node.feature, (lane.state if lane is not None else None)
        if lane is not None and lane.blocks is not None:
            block = lane.blocks.take()
            return None if block is None else self._block_inputs(node, block, state)
        if lane is not None and lane.history is not None:
            rows = usable(feat, list(lane.history))
            frame.warming_up[node.id] = len(rows) < node.frames
            frame.window_from[node.id] = rows[0].seq
            return bind(feat, rows, frame.image, state, self.resources, node.params)
        return bind(feat, [frame], frame.image, state, self.resources, node.params)

    def _block_inputs(self, node: Node, block: Block, state: Any) -> dict[str, Any]:
        rows = usable(node.feature, block.rows)
        extra = {"block": block.info(len(rows))}
        return bind(node.feature, rows, None, state, {**self.resources, **extra}, node.params)

    async def flush(self, last_seq: int) -> list[Flushed]:
        """At end of stream: compute each tiling node's unfinished blocks (the partial last
        one, `ended`). Call after every frame is done."""
        out: list[Flushed] = []
        for lane in self.lanes:
            if lane.blocks is None:
                continue
            for block in lane.blocks.flush(last_seq):
                kwargs = self._block_inputs(lane.node, block, lane.state)
                try:
                    value, cpu = await self._call(lane.node, kwargs)
                except Exception as exc:  # reported with the end of stream, like a frame's
                    self.telemetry.feature_failed(lane.node.id)
                    out.append(Flushed(lane.node.id, None, 0.0, f"{type(exc).__name__}: {exc}"))
                    continue
                self.telemetry.computed(lane.node.id, cpu)
                out.append(Flushed(lane.node.id, value, cpu))
        return out
