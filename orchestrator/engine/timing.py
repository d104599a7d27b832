"""Per-frame timings: where a frame's latency went, for `--timings` and the benchmark.

Each node records when it ran and how long it waited on remote inference. The critical path
is walked back from the last node to finish, through the prerequisite that finished last;
along it, time waiting on Triton is `remote` (credited by the Triton client through
`orchestrator.telemetry.remote`) and the rest of the nodes' run time is
`worker` (feature code: statistics, resizing, crops, tracking), which is work, not
orchestration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NodeTiming:
    start: float
    end: float
    remote: float  # seconds spent waiting on Triton inside this node
    cpu: float = 0.0  # worker CPU seconds of the node's own code (`engine.cputime`)
    images: Mapping[str, int] = field(default_factory=dict)  # model -> inferences it requested


def critical_path(
    timings: dict[str, NodeTiming], needs: dict[str, tuple[str, ...]]
) -> tuple[float, float]:
    """(remote, worker) seconds along the chain of nodes that decided when the frame finished."""
    if not timings:
        return 0.0, 0.0
    node: str | None = max(timings, key=lambda n: timings[n].end)
    remote = worker = 0.0
    while node is not None:
        t = timings[node]
        remote += t.remote
        worker += max(0.0, t.end - t.start - t.remote)
        preds = [d for d in needs.get(node, ()) if d in timings]
        node = max(preds, key=lambda n: timings[n].end) if preds else None
    return remote, worker
