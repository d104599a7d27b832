"""Triton's own per-model statistics, as differences across a scenario.

Counts (inferences, executions, and so the mean batch size) are exact; the durations are
Triton's: `success` is a request's whole time inside the server (an ensemble's includes its
steps and the queues between them), `queue` its wait for the dynamic batcher, and the
per-batch-size `compute_infer` the time a model instance ran one execution. One server serves
one scenario at a time, so the differences belong to that scenario alone.
"""

from __future__ import annotations

from typing import Any

from orchestrator.bench.results import ModelStats

Snapshot = dict[str, dict[str, int]]  # model -> flat counters


def _ns(stats: dict[str, Any], key: str) -> tuple[int, int]:
    entry = stats.get(key) or {}
    return int(entry.get("count", 0)), int(entry.get("ns", 0))


def flatten(model_stats: list[dict[str, Any]]) -> Snapshot:
    """`get_inference_statistics(as_json=True)["model_stats"]` to flat integer counters."""
    out: Snapshot = {}
    for model in model_stats:
        flat = out.setdefault(model["name"], {})

        def add(key: str, value: int, flat: dict[str, int] = flat) -> None:
            flat[key] = flat.get(key, 0) + value

        add("inferences", int(model.get("inference_count", 0)))
        add("executions", int(model.get("execution_count", 0)))
        stats = model.get("inference_stats") or {}
        for key in ("success", "fail", "queue", "compute_input", "compute_infer", "compute_output"):
            count, ns = _ns(stats, key)
            add(f"{key}_count", count)
            add(f"{key}_ns", ns)
        for batch in model.get("batch_stats") or []:
            count, ns = _ns(batch, "compute_infer")
            add(f"batch{int(batch['batch_size'])}_count", count)
            add(f"batch{int(batch['batch_size'])}_ns", ns)
    return out


def snapshot(client: Any) -> Snapshot:
    """Counters of every model, read with a `tritonclient.grpc.InferenceServerClient`."""
    return flatten(client.get_inference_statistics(as_json=True).get("model_stats", []))


def delta(before: Snapshot, after: Snapshot) -> Snapshot:
    """What happened in between; models that did nothing are left out."""
    out: Snapshot = {}
    for name, counters in after.items():
        base = before.get(name, {})
        diff = {k: v - base.get(k, 0) for k, v in counters.items()}
        if any(diff.values()):
            out[name] = {k: v for k, v in diff.items() if v}
    return out


def _per(ns: int, count: int) -> float | None:
    return round(ns / count / 1e6, 3) if count else None


def describe(counters: Snapshot) -> dict[str, ModelStats]:
    """Per model: inferences, executions, mean batch, batch histogram, server-side times (ms)."""
    out: dict[str, ModelStats] = {}
    for name, c in sorted(counters.items()):
        inferences, executions = c.get("inferences", 0), c.get("executions", 0)
        sizes = sorted(int(k[5:-6]) for k in c if k.startswith("batch") and k.endswith("_count"))
        batch_exec = sum(c.get(f"batch{s}_count", 0) for s in sizes)
        batch_ns = sum(c.get(f"batch{s}_ns", 0) for s in sizes)
        out[name] = ModelStats(
            inferences=inferences,
            executions=executions,
            mean_batch=round(inferences / executions, 3) if executions else None,
            batch_sizes={str(s): c.get(f"batch{s}_count", 0) for s in sizes},
            requests=c.get("success_count", 0),
            failed=c.get("fail_count", 0),
            request_ms=_per(c.get("success_ns", 0), c.get("success_count", 0)),
            queue_ms=_per(c.get("queue_ns", 0), c.get("queue_count", 0)),
            execution_ms=_per(batch_ns, batch_exec),
        )
    return out
