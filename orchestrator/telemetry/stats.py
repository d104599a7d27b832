"""The `--stats` summary: what one run computed, delivered and decided, read from its metrics.

Features are listed per node (`persons` and `persons(min_score=0.3)` apart), from the
per-node tallies kept beside the Prometheus counters; `cost` adds each node's worker and
Triton seconds when the run's cost ledger is given.
"""

from __future__ import annotations

from typing import Any

from orchestrator.telemetry.metrics import Telemetry


def summary(
    telemetry: Telemetry, cost: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    t = telemetry
    nodes = (cost or {}).get("nodes", {})
    latency_count = t.value("framegraph_frame_latency_seconds_count")
    out: dict[str, Any] = {
        "frames": {
            "received": int(t.value("framegraph_frames_received_total")),
            "decoded": int(t.value("framegraph_frames_decoded_total")),
            "completed": int(t.value("framegraph_frames_completed_total")),
            "failed": {
                k: int(v) for k, v in t.by_label("framegraph_frames_failed_total", "reason").items()
            },
            "dropped": {
                k: int(v)
                for k, v in t.by_label("framegraph_frames_dropped_total", "reason").items()
            },
        },
        "features": {
            name: {
                "computed": tally.computed,
                "delivered": tally.delivered,
                "errors": tally.errors,
                "mean_ms": round(1000 * tally.seconds / tally.computed, 3)
                if tally.computed
                else None,
                **(
                    {"cost": {k: nodes[name][k] for k in ("worker_s", "triton_s")}}
                    if name in nodes
                    else {}
                ),
            }
            for name, tally in sorted(t.nodes.items())
        },
        "latency_seconds_mean": (
            t.value("framegraph_frame_latency_seconds_sum") / latency_count
            if latency_count
            else None
        ),
        "plan_rebuilds": int(t.value("framegraph_plan_rebuilds_total")),
    }
    if cost is not None:
        out["cost"] = {k: v for k, v in cost.items() if k != "nodes"}
    out.update(extra)
    return out
