"""The issue's targets, evaluated on a run: met, missed (by how much), or not measured.

They are reported, not asserted: absolute times on a small shared machine are noisy, and
a miss must come with where the time goes (see docs/benchmarks.md), not a red build.

- overhead: orchestration overhead (`timing.overhead_ms`: latency minus queue, decode,
  Triton and feature code on the critical path) p50 <= 2 ms and p99 <= 5 ms, on
  the paced runs that kept up (no drops): on a saturated CPU every figure includes waiting
  for a core, which is load, not orchestration. The saturated runs are shown beside it.
- exactly-once: every scenario's model executions and feature computations match its plan.
- batching: with 4+ streams, the person detector's throughput >= 90% of its onnxruntime
  ceiling, with mean batch > 1.
- real time: one stream of persons at vtest's 10 fps: no drops, p99 end-to-end < 100 ms.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _verdict(name: str, target: str, measured: Any, met: bool | None, **extra: Any) -> dict:
    return {"name": name, "target": target, "measured": measured, "met": met, **extra}


def _overhead(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Judged on `overhead_ms` as the worker measures it: latency minus queue, decode, Triton
    round trips and feature code on the frame's critical path (`worker_ms`)."""
    name, target = "orchestration overhead", "p50 <= 2 ms and p99 <= 5 ms per frame"
    timed = [r for r in runs if r.get("timing_ms") and r["timing_ms"].get("overhead")]
    kept_up = [r for r in timed if r["mode"] == "paced" and r["frames"]["dropped"] == 0]
    if not kept_up:
        return _verdict(name, target, None, None, note="no paced run with --timings kept up")
    w50 = max(kept_up, key=lambda r: r["timing_ms"]["overhead"]["p50"])
    w99 = max(kept_up, key=lambda r: r["timing_ms"]["overhead"]["p99"])
    worst50, worst99 = w50["timing_ms"]["overhead"]["p50"], w99["timing_ms"]["overhead"]["p99"]
    saturated = [r for r in timed if r not in kept_up]
    return _verdict(
        name,
        target,
        {
            "worst_p50_ms": worst50,
            "at": w50["key"],
            "worst_p99_ms": worst99,
            "at_p99": w99["key"],
            "runs": len(kept_up),
        },
        worst50 <= 2.0 and worst99 <= 5.0,
        margin={"p50_ms": round(worst50 - 2.0, 3), "p99_ms": round(worst99 - 5.0, 3)},
        saturated_runs={
            r["key"]: {
                "p50": r["timing_ms"]["overhead"]["p50"],
                "p99": r["timing_ms"]["overhead"]["p99"],
            }
            for r in saturated
        },
    )


def _exactly_once(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    bad = {r["key"]: r["exactly_once"]["problems"] for r in runs if not r["exactly_once"]["ok"]}
    return _verdict(
        "no redundant computation",
        "model executions and feature computations match the plan exactly, every set",
        {"scenarios_checked": len(runs), "failed": bad},
        not bad,
    )


def _batching(
    runs: Sequence[dict[str, Any]],
    ceiling_rows: Sequence[dict[str, Any]],
    direct: dict[str, dict[str, Any]],
    ceiling: dict[str, dict[str, Any]],
    cores: int,
) -> dict[str, Any]:
    """Also says what bounds it: CPU per frame (worker + server) against the cores."""
    name = "cross-stream batching"
    target = "4+ streams: person detector >= 90% of its onnxruntime ceiling, mean batch > 1"
    rows = [
        r
        for r in ceiling_rows
        if r["net"] == "ssdlite_person" and r["set"] == "persons" and r["streams"] >= 4
    ]
    if not rows:
        return _verdict(name, target, None, None, note="no persons run with 4+ streams")
    worst = min(rows, key=lambda r: r["share_of_ceiling"] or 0.0)
    share = worst["share_of_ceiling"] or 0.0
    batched = all((r["mean_batch"] or 0) > 1 for r in rows)
    run = next(
        r
        for r in runs
        if r["role"] == "matrix"
        and r["set"] == "persons"
        and r["mode"] == "unpaced"
        and r["streams"] == worst["streams"]
    )
    cpu = run["cpu"]
    net_cpu = (ceiling.get("ssdlite_person") or {}).get("cpu_ms_per_image_at_best")
    direct_cpu = (direct.get("persons") or {}).get("cpu_ms_per_frame")
    bound = {
        "cores": cores,
        "framegraph_cpu_ms_per_frame": cpu["total_ms_per_frame"],
        "worker_cpu_ms_per_frame": cpu["worker_ms_per_frame"],
        "server_cpu_ms_per_frame": cpu["server_ms_per_frame"],
        "net_alone_cpu_ms_per_image": net_cpu,
        "direct_cpu_ms_per_frame": direct_cpu,
        # frames/s if every core did nothing but this work, back to back
        "cpu_bound_fps": round(cores * 1000 / cpu["total_ms_per_frame"], 1),
        "direct_work_bound_fps": round(cores * 1000 / direct_cpu, 1) if direct_cpu else None,
        "max_share_of_ceiling_at_this_cpu_cost": round(net_cpu / cpu["total_ms_per_frame"], 3)
        if net_cpu
        else None,
    }
    return _verdict(
        name,
        target,
        {
            "share_of_ceiling": share,
            "at_streams": worst["streams"],
            "net_fps": worst["net_fps"],
            "ceiling_fps": worst["ceiling_fps"],
            "mean_batch": {str(r["streams"]): r["mean_batch"] for r in rows},
            "bound": bound,
        },
        share >= 0.9 and batched,
        margin={"share_points": round(100 * (share - 0.9), 1)},
    )


def _real_time(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    name, target = "real time, one stream", "persons at 10 fps: no drops, p99 < 100 ms"
    run = next(
        (
            r
            for r in runs
            if r["role"] == "matrix"
            and r["set"] == "persons"
            and r["streams"] == 1
            and r["mode"] == "paced"
        ),
        None,
    )
    if run is None or not run["e2e_ms"]:
        return _verdict(name, target, None, None, note="no paced single-stream persons run")
    p99 = run["e2e_ms"]["p99"]
    dropped = run["frames"]["dropped"]
    return _verdict(
        name,
        target,
        {
            "dropped": dropped,
            "e2e_p99_ms": p99,
            "worker_latency_p99_ms": run["latency_ms"]["p99"],
            "frames": run["frames"]["results"],
        },
        dropped == 0 and p99 < 100.0,
        margin={"p99_ms": round(p99 - 100.0, 3)},
    )


def evaluate(
    runs: Sequence[dict[str, Any]],
    ceiling_rows: Sequence[dict[str, Any]],
    direct: dict[str, dict[str, Any]] | None = None,
    ceiling: dict[str, dict[str, Any]] | None = None,
    cores: int = 1,
) -> list[dict[str, Any]]:
    return [
        _overhead(runs),
        _exactly_once(runs),
        _batching(runs, ceiling_rows, direct or {}, ceiling or {}, cores),
        _real_time(runs),
    ]
