"""Triton compute per inference from statistics deltas: executions, not requests, count."""

from __future__ import annotations

from typing import Any

import pytest

from orchestrator.cost.ledger import CostLedger
from orchestrator.cost.poller import TritonCosts, compute_counters


def model(name: str, inferences: int, batches: dict[int, tuple[int, int]]) -> dict[str, Any]:
    """batches: size -> (executions, compute_infer ns); input/output add 10% of infer."""
    return {
        "name": name,
        "inference_count": str(inferences),
        "execution_count": str(sum(e for e, _ in batches.values())),
        "batch_stats": [
            {
                "batch_size": str(size),
                "compute_input": {"count": str(e), "ns": str(ns // 20)},
                "compute_infer": {"count": str(e), "ns": str(ns)},
                "compute_output": {"count": str(e), "ns": str(ns // 20)},
            }
            for size, (e, ns) in batches.items()
        ],
    }


class Source:
    def __init__(self) -> None:
        self.stats: list[dict[str, Any]] | None = None
        self.initial_statistics: list[dict[str, Any]] | None = None

    async def model_statistics(self) -> list[dict[str, Any]] | None:
        return self.stats

    async def model_steps(self, name: str) -> list[str]:
        return {"ens": ["net", "post"]}.get(name, [name])


def test_counters_sum_executions_not_requests() -> None:
    stats = [model("net", 8, {8: (1, 80_000_000)})]  # one batch of 8 requests
    assert compute_counters(stats) == {"net": (8, 88_000_000)}


async def test_an_ensemble_costs_the_sum_of_its_steps_per_inference() -> None:
    source, ledger = Source(), CostLedger()
    ledger.join(1)
    costs = TritonCosts(source, ledger)
    source.initial_statistics = [model("net", 0, {}), model("post", 0, {})]
    ledger.charge("dets", 0.0, {"ens": 2}, [1])
    source.stats = [
        model("net", 4, {1: (2, 20_000_000), 2: (1, 20_000_000)}),  # 40 ms of infer, 4 inferences
        model("post", 4, {4: (1, 4_000_000)}),
        model("ens", 4, {}),
    ]
    await costs.poll()
    # net: 44 ms / 4 = 11 ms per inference; post: 4.4 ms / 4 = 1.1 ms; 2 images
    assert ledger.node("dets")["triton_s"] == pytest.approx(2 * 0.0121)
    assert ledger.subscription(1)["triton_s"] == pytest.approx(2 * 0.0121)
    assert costs.describe() == {"ens": 12.1}


async def test_nothing_is_priced_before_a_baseline_and_nothing_is_lost() -> None:
    source, ledger = Source(), CostLedger()
    costs = TritonCosts(source, ledger)
    ledger.charge("dets", 0.0, {"net": 1}, [])
    await costs.poll()  # not connected: stays pending
    source.stats = [model("net", 1, {1: (1, 10_000_000)})]
    await costs.poll()  # first read: a baseline only
    assert ledger.totals()["pending_images"] == 1
    source.stats = [model("net", 3, {1: (3, 50_000_000)})]
    await costs.close(None)
    assert ledger.node("dets")["triton_s"] == pytest.approx(0.022)
    assert ledger.totals()["pending_images"] == 0
