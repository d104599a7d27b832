"""Per-frame plans: what the hub's subscribers want on each frame, planned once per set.

For a line being admitted, the hub says which nodes each subscriber needs on that frame
(their rates decide); the union is planned (the planner caches plans by set, and few sets
recur: every frame, every 3rd, a tiling block's collection, ...). The live plan is what
is subscribed at any rate: it keeps lanes alive and is what `GET /plan` shows. Taking a
frame's plan is the frame boundary at which subscription changes apply.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from orchestrator.delivery.hub import FrameWants, Hub
from orchestrator.graph.key import NodeKey
from orchestrator.graph.plan import Plan, Planner
from orchestrator.telemetry import Telemetry


@dataclass(frozen=True)
class FramePlan:
    plan: Plan  # what runs on this frame
    live: Plan  # everything subscribed now, at any rate
    wants: FrameWants  # who needs what on this frame


class Scheduler:
    def __init__(self, planner: Planner, hub: Hub, telemetry: Telemetry) -> None:
        self.planner = planner
        self.hub = hub
        self.telemetry = telemetry
        self.live: Plan | None = None

    def next(self, seq: int, ts: float, prev_ts: float | None) -> FramePlan:
        """The plan of frame `seq`; later subscription changes apply after it."""
        wants = self.hub.schedule(seq, ts, prev_ts)
        live = self.planner.plan(self.hub.requested())
        self.hub.admitted(seq)
        if live is not self.live:
            if self.live is not None:
                self.telemetry.plan_rebuilds.inc()
            self.live = live
        return FramePlan(self.planner.plan(wants.keys), live, wants)

    def closure(self, keys: frozenset[NodeKey]) -> Collection[str]:
        """The nodes a set of wanted keys needs (for sharing out costs)."""
        return self.planner.plan(keys).nodes.keys()
