"""What each step of an ensemble costs inside the server, from Triton's own statistics.

Each neural ensemble is two hops through Python-backend stubs: the net (onnxruntime in
its stub) then post-processing (numpy in another). Triton times each composing model's
requests (queue: the dynamic batcher's wait; compute: one execution, stub round trip
included), so for a chain the ensemble's request time is the sum of its steps plus the
scheduler's hand-over between them. Beside each net step stands the bare net in
onnxruntime at the nearest batch size (the ceiling baseline): what the hop adds to the
net itself is the difference.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from orchestrator.bench.results import CeilingResult, ModelStats, ScenarioResult

SERVER_OPTIONS = "server options"  # the ceiling's run with the server's session options


@dataclass(frozen=True)
class StepTime:
    """One composing model, per request (one frame's request to the ensemble)."""

    model: str
    mean_batch: float | None
    queue_ms: float | None
    compute_ms_per_image: float | None  # one execution's time / the images in it
    request_ms: float | None
    bare_net_ms_per_image: float | None  # the ceiling at the nearest batch; nets only


@dataclass(frozen=True)
class ServerSteps:
    key: str
    set: str
    mode: str
    streams: int
    ensemble: str
    requests: int
    request_ms: float | None  # the ensemble's whole request
    steps: list[StepTime]
    steps_ms: float | None  # sum of the steps' requests
    between_steps_ms: float | None  # request - steps: the ensemble scheduler's hand-overs


def _per_image(stats: ModelStats) -> float | None:
    if stats.execution_ms is None or not stats.inferences:
        return None
    return round(stats.execution_ms * stats.executions / stats.inferences, 3)


def bare_ms_per_image(ceiling: CeilingResult, batch: float | None) -> float | None:
    """The bare net's wall ms per image at the measured batch size nearest to `batch`."""
    fps = ceiling.fps.get(SERVER_OPTIONS) or {}
    if not fps:
        return None
    nearest = min(fps, key=lambda b: abs(int(b) - (batch or 1.0)))
    return round(1000 / fps[nearest], 3) if fps[nearest] else None


def server_steps(
    runs: Sequence[ScenarioResult],
    ceiling: dict[str, CeilingResult],
    composing: Callable[[str], list[str]],
) -> list[ServerSteps]:
    """Per matrix run and per ensemble of its plan, the ensemble against its steps."""
    out = []
    for run in runs:
        if run.role != "matrix":
            continue
        for name, check in run.exactly_once.models.items():
            whole = run.triton.get(name)
            if check.expected_requests is None or whole is None or not whole.requests:
                continue
            steps = []
            for model in composing(name):
                stats = run.triton.get(model)
                if stats is None:
                    continue
                net = ceiling.get(model)
                steps.append(
                    StepTime(
                        model=model,
                        mean_batch=stats.mean_batch,
                        queue_ms=stats.queue_ms,
                        compute_ms_per_image=_per_image(stats),
                        request_ms=stats.request_ms,
                        bare_net_ms_per_image=bare_ms_per_image(net, stats.mean_batch)
                        if net
                        else None,
                    )
                )
            known = [s.request_ms for s in steps if s.request_ms is not None]
            total = round(sum(known), 3) if known and len(known) == len(steps) else None
            out.append(
                ServerSteps(
                    key=run.key,
                    set=run.set,
                    mode=run.mode,
                    streams=run.streams,
                    ensemble=name,
                    requests=whole.requests,
                    request_ms=whole.request_ms,
                    steps=steps,
                    steps_ms=total,
                    between_steps_ms=round(whole.request_ms - total, 3)
                    if whole.request_ms is not None and total is not None
                    else None,
                )
            )
    return out
