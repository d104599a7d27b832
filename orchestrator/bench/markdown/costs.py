"""Where the CPU and the server's time go: the worker split, the ensemble steps, and the
GPU projection made from them."""

from __future__ import annotations

from collections.abc import Sequence

from orchestrator.bench.markdown.cells import Column, fmt, naive, section
from orchestrator.bench.projection import Projection, SetProjection
from orchestrator.bench.results import ScenarioResult
from orchestrator.bench.steps import ServerSteps, StepTime

STEPS_SETS = ("persons", "faces.expression")  # single chains: the steps add up


def _split(run: ScenarioResult, field: str) -> float | None:
    split = run.cpu.worker_split
    return getattr(split, field) if split else None


WORKER: tuple[Column[ScenarioResult], ...] = (
    ("set", lambda r: naive(r.set, r.role)),
    ("mode", lambda r: r.mode),
    ("S", lambda r: r.streams),
    ("frames", lambda r: _split(r, "frames")),
    ("worker", lambda r: _split(r, "worker_ms")),
    ("decode", lambda r: _split(r, "decode_ms")),
    ("feature code", lambda r: _split(r, "features_ms")),
    ("orchestration", lambda r: _split(r, "orchestration_ms")),
    (
        "priming frame taken out: decode / features",
        lambda r: (
            f"{fmt(_split(r, 'priming_decode_ms'))} / {fmt(_split(r, 'priming_features_ms'))}"
        ),
    ),
)


def _step(s: StepTime) -> str:
    bare = f" (bare {fmt(s.bare_net_ms_per_image)})" if s.bare_net_ms_per_image else ""
    return (
        f"{s.model}: queue {fmt(s.queue_ms)}, compute/image {fmt(s.compute_ms_per_image)}"
        f"{bare}, request {fmt(s.request_ms)}"
    )


STEPS: tuple[Column[ServerSteps], ...] = (
    ("set", lambda s: s.set),
    ("mode", lambda s: s.mode),
    ("S", lambda s: s.streams),
    ("ensemble", lambda s: s.ensemble),
    ("request", lambda s: s.request_ms),
    (
        "steps (ms per request; bare: the net alone in onnxruntime)",
        lambda s: "; ".join(map(_step, s.steps)),
    ),
    ("sum of steps", lambda s: s.steps_ms),
    ("between steps", lambda s: fmt(s.between_steps_ms, 2)),
)
GPU: tuple[Column[SetProjection], ...] = (
    ("set", lambda p: p.set),
    ("from", lambda p: p.from_key),
    (
        "measured ms/frame: decode / features / orchestration / server besides nets",
        lambda p: " / ".join(
            fmt(v)
            for v in (p.decode_ms, p.features_ms, p.orchestration_ms, p.server_besides_nets_ms)
        ),
    ),
    ("decode x", lambda p: p.decode_scale),
    ("CPU ms/frame, CPU decode", lambda p: p.cpu_decode_ms),
    ("streams, CPU decode", lambda p: p.streams_cpu_decode),
    ("CPU ms/frame, GPU decode", lambda p: p.gpu_decode_ms),
    ("streams, GPU decode", lambda p: p.streams_gpu_decode),
    (
        "features + orchestration allowed for the anchor: GPU / CPU decode",
        lambda p: f"{fmt(p.worker_budget_gpu_decode_ms)} / {fmt(p.worker_budget_cpu_decode_ms)}",
    ),
)


def worker_cpu(runs: Sequence[ScenarioResult]) -> list[str]:
    title = "Worker CPU per frame (ms, after the priming frame)"
    return section(title, WORKER, [r for r in runs if r.cpu.worker_split])


def server_steps(rows: Sequence[ServerSteps]) -> list[str]:
    title = "Server steps: each ensemble against its composing models (ms)"
    return section(title, STEPS, [s for s in rows if s.set in STEPS_SETS])


def gpu_projection(projection: Projection | None) -> list[str]:
    if projection is None:
        return []
    a = projection.assumptions
    return [
        *section(
            "GPU projection (assumptions, not measured: see the prose below)", GPU, projection.sets
        ),
        f"Streams per node: {a.cores} cores x {a.cpu_share:.0%} usable x 1000 / (CPU ms/frame x "
        f"{a.fps:g} fps), frames {a.width}x{a.height}; decode scaled by pixels. "
        f"{a.anchor_streams} streams need <= {fmt(projection.budget_ms_at_anchor, 2)} CPU ms "
        "per frame, worker and server together.",
        "",
    ]
