"""The `--stats` summary: what one run computed, delivered and decided, read from its metrics."""

from __future__ import annotations

from typing import Any

from orchestrator.telemetry.metrics import Telemetry


def summary(telemetry: Telemetry, **extra: Any) -> dict[str, Any]:
    t = telemetry
    computed = t.by_label("framegraph_feature_computations_total", "feature")
    delivered = t.by_label("framegraph_feature_deliveries_total", "feature")
    errors = t.by_label("framegraph_feature_errors_total", "feature")
    seconds = t.by_label("framegraph_feature_compute_seconds_sum", "feature")
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
                "computed": int(computed.get(name, 0)),
                "delivered": int(delivered.get(name, 0)),
                "errors": int(errors.get(name, 0)),
                "mean_ms": round(1000 * seconds[name] / computed[name], 3)
                if computed.get(name)
                else None,
            }
            for name in sorted(set(computed) | set(delivered) | set(errors))
        },
        "latency_seconds_mean": (
            t.value("framegraph_frame_latency_seconds_sum") / latency_count
            if latency_count
            else None
        ),
        "plan_rebuilds": int(t.value("framegraph_plan_rebuilds_total")),
    }
    out.update(extra)
    return out
