from __future__ import annotations

from orchestrator.bench.tritonstats import delta, describe, flatten


def model(inferences: int, executions: int, batches: dict[int, int]) -> dict:
    return {
        "name": "ssdlite_person",
        "inference_count": str(inferences),
        "execution_count": str(executions),
        "inference_stats": {
            "success": {"count": str(inferences), "ns": str(inferences * 2_000_000)},
            "queue": {"count": str(inferences), "ns": str(inferences * 500_000)},
        },
        "batch_stats": [
            {"batch_size": str(b), "compute_infer": {"count": str(n), "ns": str(n * 10_000_000)}}
            for b, n in batches.items()
        ],
    }


def test_difference_gives_this_runs_batches_and_times() -> None:
    before = flatten([model(10, 10, {1: 10})])
    after = flatten([model(30, 16, {1: 12, 4: 4}), {"name": "idle", "inference_count": "0"}])
    d = describe(delta(before, after))
    assert list(d) == ["ssdlite_person"]  # models that did nothing are left out
    net = d["ssdlite_person"]
    assert (net.inferences, net.executions, net.mean_batch) == (20, 6, 3.333)
    assert net.batch_sizes == {"1": 2, "4": 4}
    assert net.request_ms == 2.0 and net.queue_ms == 0.5 and net.execution_ms == 10.0
