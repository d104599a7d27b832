"""Streams per GPU node, projected from a run's measured worker CPU per frame.

On a GPU the nets are cheap and the CPU per frame decides how many streams one node
serves. This projects it under stated assumptions (`Assumptions`, defaults below): none
of it is measured on a GPU. Per set, from one unpaced run:

- decode on the CPU (OpenCV, as measured here): decode scaled by pixels to the target
  frame size (JPEG decode is close to linear in pixels), plus feature code and
  orchestration as measured (neither depends much on the frame size);
- decode on the GPU (nvJPEG via DALI): decode leaves the CPU, the rest stays;
- both plus the server's CPU besides the nets (measured server CPU minus the nets' own
  CPU from the ceiling baseline): gRPC, the ensemble scheduler, the Python-backend hops
  and post-processing stay on the CPU when the nets move to the GPU.

Streams per node = cores x usable share x 1000 / (CPU ms per frame x fps); the CPU per
frame that reaches the anchor (about 50 1080p30 streams per GPU, DeepStream-class) is the
same equation solved the other way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from orchestrator.bench.results import CeilingResult, ScenarioResult
from orchestrator.bench.workload import CLIP_PIXELS


@dataclass(frozen=True)
class Assumptions:
    cores: int = 16  # CPU cores per GPU: the H200 machine lent to this project has 16
    cpu_share: float = 0.75  # of those, what Framegraph may use (the OS, I/O keep the rest)
    fps: float = 30.0
    width: int = 1920
    height: int = 1080
    anchor_streams: int = 50  # DeepStream-class: about 50 1080p30 streams per GPU


@dataclass(frozen=True)
class SetProjection:
    set: str
    from_key: str
    decode_scale: float  # target frame pixels / the clip's
    worker_ms: float  # measured per frame, at the clip's size
    decode_ms: float
    features_ms: float
    orchestration_ms: float
    server_besides_nets_ms: float  # measured server CPU minus the nets' own, per frame
    cpu_decode_ms: float  # per target frame, worker + server besides nets
    gpu_decode_ms: float
    streams_cpu_decode: float
    streams_gpu_decode: float
    # what feature code + orchestration may cost per frame for the anchor, decode on the GPU
    # (the budget less the server's share); on the CPU, less the scaled decode too
    worker_budget_gpu_decode_ms: float
    worker_budget_cpu_decode_ms: float


@dataclass(frozen=True)
class Projection:
    assumptions: Assumptions
    budget_ms_at_anchor: float  # CPU per frame (worker + server besides nets) for the anchor
    sets: list[SetProjection]


def _source(runs: Sequence[ScenarioResult], set_: str) -> ScenarioResult | None:
    """The set's unpaced run with the most streams up to 4 (enough frames, a busy server)."""
    usable = [
        r
        for r in runs
        if r.role == "matrix"
        and r.set == set_
        and r.mode == "unpaced"
        and r.cpu.worker_split
        and r.streams <= 4
    ]
    return max(usable, key=lambda r: r.streams, default=None)


def _server_besides_nets(run: ScenarioResult, ceiling: dict[str, CeilingResult]) -> float:
    frames = max(1, run.frames.results)
    nets = sum(
        c.cpu_ms_per_image_at_best * run.triton[n].inferences / frames
        for n, c in ceiling.items()
        if n in run.triton
    )
    return round(max(0.0, run.cpu.server_ms_per_frame - nets), 3)


def project(
    runs: Sequence[ScenarioResult],
    ceiling: dict[str, CeilingResult],
    assume: Assumptions | None = None,
) -> Projection | None:
    """Every set with a worker CPU split; None when the run has none."""
    a = assume or Assumptions()
    budget = a.cores * a.cpu_share * 1000 / (a.anchor_streams * a.fps)

    def streams(ms: float) -> float:
        return round(a.cores * a.cpu_share * 1000 / (ms * a.fps), 1) if ms > 0 else 0.0

    out = []
    for set_ in dict.fromkeys(r.set for r in runs):
        run = _source(runs, set_)
        split = run.cpu.worker_split if run else None
        if run is None or split is None or run.clip not in CLIP_PIXELS:
            continue
        scale = a.width * a.height / CLIP_PIXELS[run.clip]
        server = _server_besides_nets(run, ceiling)
        rest = split.features_ms + split.orchestration_ms + server
        on_cpu, on_gpu = rest + split.decode_ms * scale, rest
        out.append(
            SetProjection(
                set=set_,
                from_key=run.key,
                decode_scale=round(scale, 2),
                worker_ms=split.worker_ms,
                decode_ms=split.decode_ms,
                features_ms=split.features_ms,
                orchestration_ms=split.orchestration_ms,
                server_besides_nets_ms=server,
                cpu_decode_ms=round(on_cpu, 3),
                gpu_decode_ms=round(on_gpu, 3),
                streams_cpu_decode=streams(on_cpu),
                streams_gpu_decode=streams(on_gpu),
                worker_budget_gpu_decode_ms=round(budget - server, 3),
                worker_budget_cpu_decode_ms=round(budget - server - split.decode_ms * scale, 3),
            )
        )
    return Projection(a, round(budget, 3), out) if out else None
