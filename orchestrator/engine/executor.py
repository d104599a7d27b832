"""The executor: runs a plan over each admitted frame, node by node, as soon as inputs exist.

Each node of a frame is a task that waits only for its own prerequisites (no stage
barriers), so independent nodes run concurrently and several frames overlap. Ordered
nodes (windows, state) also wait for their lane's previous turn. A node that raises
records an error for itself; its dependents record that they lacked the prerequisite.
Nothing is ever computed twice on a frame: the plan is the union of all clients' needs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping
from typing import Any

from orchestrator.engine.binding import bind, usable
from orchestrator.engine.frame import FeatureError, Frame
from orchestrator.engine.lanes import Lane, Lanes, done
from orchestrator.engine.ring import FrameRing
from orchestrator.engine.timing import NodeTiming
from orchestrator.graph.catalog import Catalog
from orchestrator.graph.feature import Feature
from orchestrator.graph.plan import Plan
from orchestrator.models.deadline import set_deadline
from orchestrator.telemetry import Telemetry
from orchestrator.telemetry.remote import remote_accumulator

Turn = tuple["asyncio.Future[None] | None", "asyncio.Future[None]"]


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
        self.features: dict[str, Feature] = {f.name: f for f in self.catalog}
        self.needs: dict[str, tuple[str, ...]] = {f.name: f.needs for f in self.catalog}
        self._released = frozenset(f.name for f in self.catalog if f.model_input)
        self.resources = dict(resources or {})
        self.telemetry = telemetry or Telemetry()
        self.ring = FrameRing()
        self.lanes = Lanes()
        self._unfinished: dict[int, None] = {}  # admitted, not finished; insertion = seq order
        self._max_window = 1

    def admit(self, frame: Frame, plan: Plan) -> asyncio.Task[Frame]:
        """Schedule every node of `plan` on `frame`; the task ends when all have run."""
        self.ring.add(frame)
        self._unfinished[frame.seq] = None
        self._max_window = plan.max_window
        self._trim()
        ordered = {n for n in plan.order if self.features[n].window.ordered}
        lanes = self.lanes.for_plan(ordered, self.features)
        tasks: dict[str, asyncio.Task[None]] = {}
        for name in plan.order:
            feat = self.features[name]
            lane = lanes.get(name) if name in ordered else None
            turn = lane.take_turn() if lane else None
            deps = [tasks[d] for d in feat.needs]
            tasks[name] = asyncio.create_task(self._node(frame, feat, deps, lane, turn))
        return asyncio.create_task(self._finish(frame, tasks.values()))

    async def _finish(self, frame: Frame, tasks: Iterable[asyncio.Task[None]]) -> Frame:
        try:
            await asyncio.gather(*tasks)
        finally:
            del self._unfinished[frame.seq]
            self._trim()
        frame.release(self._released)
        return frame

    def _trim(self) -> None:
        """Keep what the window of the oldest unfinished frame (or the next one) can reach."""
        oldest = next(iter(self._unfinished), None)
        if oldest is None:
            last = self.ring.newest()
            oldest = last.seq + 1 if last else 0
        self.ring.trim(oldest - self._max_window + 1)

    async def _node(
        self,
        frame: Frame,
        feat: Feature,
        deps: list[asyncio.Task[None]],
        lane: Lane | None,
        turn: Turn | None,
    ) -> None:
        name = feat.name
        try:
            for dep in deps:
                await dep
            failed = next((d for d in feat.needs if d in frame.errors), None)
            if failed is not None:
                root = frame.errors[failed]
                frame.errors[name] = FeatureError(
                    f"needs {failed}: {root.message}" if root.cause is None else root.message,
                    cause=root.cause or failed,
                )
                self.telemetry.feature_failed(name)
                return
            if turn is not None and turn[0] is not None:
                await turn[0]
            if feat.model_input and name in frame.results:  # the decoder made it already
                return
            kwargs = self._inputs(frame, feat, lane)
            set_deadline(frame.deadline)
            remote = remote_accumulator()
            start = time.perf_counter()
            value = feat.fn(**kwargs)
            if feat.is_async:
                value = await value
            end = time.perf_counter()
            self.telemetry.computed(name, end - start)
            frame.timings[name] = NodeTiming(start, end, remote[0])
            frame.results[name] = value
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a feature's failure is data for this frame, not a crash
            frame.errors[name] = FeatureError(f"{type(exc).__name__}: {exc}")
            self.telemetry.feature_failed(name)
        finally:
            if turn is not None:
                done(*turn)

    def _inputs(self, frame: Frame, feat: Feature, lane: Lane | None) -> dict[str, Any]:
        """Keyword arguments: prerequisites' results (tuples over the window) and resources."""
        frames = [frame]
        if feat.window.frames > 1:
            frames = usable(feat, self.ring.window(frame, feat.window.frames))
            frame.warming_up[feat.name] = len(frames) < feat.window.frames
        return bind(feat, frames, frame.image, lane.state if lane else None, self.resources)
