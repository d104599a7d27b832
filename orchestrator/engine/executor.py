"""The executor: runs each admitted frame's plan, node by node, as soon as inputs exist.

Each node of a frame is a task that waits only for its own prerequisites (no stage
barriers), so independent nodes run concurrently and several frames overlap. Ordered
nodes (windows, state, blocks) also wait for their lane's previous turn. A node that
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
from collections.abc import Iterable, Mapping
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
        `live`: everything subscribed now (default: this plan); lanes outside it retire."""
        live = live or plan
        self.lanes.retain(n for n in live.order if live.nodes[n].feature.window.ordered)
        tasks: dict[str, asyncio.Task[None]] = {}
        for name in plan.order:
            node = plan.nodes[name]
            lane = self.lanes.get(node) if node.feature.window.ordered else None
            turn = lane.take_turn() if lane is not None else None
            deps = [tasks[d] for d in node.needs]
            tasks[name] = asyncio.create_task(self._node(frame, node, deps, lane, turn))
        return asyncio.create_task(self._finish(frame, tasks.values()))

    async def _finish(self, frame: Frame, tasks: Iterable[asyncio.Task[None]]) -> Frame:
        await asyncio.gather(*tasks)
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
        feat, name = node.feature, node.id
        try:
            for dep in deps:
                await dep
            if turn is not None and turn[0] is not None:
                await turn[0]
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
                return
            if feat.model_input and name in frame.results:  # the decoder made it already
                return
            kwargs = self._inputs(frame, node, lane)
            if kwargs is None:  # a tiling node between block ends: it only collected
                return
            set_deadline(frame.deadline)
            remote = remote_accumulator()
            start = time.perf_counter()
            value, cpu = await self._call(node, kwargs)
            end = time.perf_counter()
            self.telemetry.computed(name, end - start)
            frame.timings[name] = NodeTiming(start, end, remote.seconds, cpu, dict(remote.images))
            frame.results[name] = value
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a feature's failure is data for this frame, not a crash
            frame.errors[name] = FeatureError(f"{type(exc).__name__}: {exc}")
            self.telemetry.feature_failed(name)
        finally:
            if turn is not None:
                done(*turn)

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
