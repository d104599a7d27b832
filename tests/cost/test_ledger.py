"""Fair shares: a node's cost on a frame is split equally among the subscriptions needing it."""

from __future__ import annotations

import pytest

from orchestrator.cost.ledger import CostLedger
from orchestrator.engine.timing import NodeTiming
from orchestrator.telemetry import Telemetry


def timing(cpu: float, **images: int) -> NodeTiming:
    return NodeTiming(0.0, 0.0, 0.0, cpu, images)


@pytest.fixture
def ledger() -> CostLedger:
    ledger = CostLedger(Telemetry())
    for sub in (1, 2):
        ledger.join(sub)
    return ledger


def share(ledger: CostLedger, sub: int, where: str = "worker") -> float:
    return ledger.subscription(sub)[f"{where}_s"]


def sums(ledger: CostLedger) -> tuple[dict, dict]:
    t = ledger.totals()
    subs = {k: t["subscriptions"][k] + t["departed"][k] for k in t["nodes"]}
    return {k: round(v, 9) for k, v in t["nodes"].items()}, {
        k: round(v, 9) for k, v in subs.items()
    }


def closure(keys: frozenset[str]) -> set[str]:
    """Toy plans: `b` needs `a`."""
    return set(keys) | ({"a"} if "b" in keys else set())


def test_alone_a_client_pays_the_whole_cost_shared_half_each(ledger: CostLedger) -> None:
    ledger.frame({"a": timing(0.2)}, {1: frozenset({"a"})}, closure)
    assert share(ledger, 1) == pytest.approx(0.2) and share(ledger, 2) == 0
    ledger.frame({"a": timing(0.2)}, {1: frozenset({"a"}), 2: frozenset({"a"})}, closure)
    assert share(ledger, 1) == pytest.approx(0.3) and share(ledger, 2) == pytest.approx(0.1)


def test_a_prerequisite_is_shared_by_whoever_needs_it_through_dependents(ledger) -> None:
    costs = {"a": timing(0.4), "b": timing(0.1)}
    ledger.frame(costs, {1: frozenset({"a"}), 2: frozenset({"b"})}, closure)
    assert share(ledger, 1) == pytest.approx(0.2)  # half of a
    assert share(ledger, 2) == pytest.approx(0.3)  # half of a, all of b
    assert ledger.node("a")["computed"] == 1 and ledger.node("a")["worker_s"] == 0.4


def test_a_client_that_leaves_stops_paying_and_the_sums_agree(ledger) -> None:
    both = {1: frozenset({"a"}), 2: frozenset({"a"})}
    ledger.frame({"a": timing(0.2)}, both, closure)
    ledger.leave(2)
    ledger.frame({"a": timing(0.2)}, {1: frozenset({"a"})}, closure)
    assert share(ledger, 1) == pytest.approx(0.3)
    ledger.frame({"a": timing(0.2)}, both, closure)  # planned before it left: departed pays
    assert share(ledger, 1) == pytest.approx(0.4)
    assert ledger.totals()["departed"]["worker_s"] == pytest.approx(0.2)
    assert share(ledger, 2) == pytest.approx(0.2)  # its bill, still readable once it ended
    nodes, subs = sums(ledger)
    assert nodes == subs


def test_triton_images_are_priced_when_statistics_arrive(ledger) -> None:
    t = ledger.telemetry
    ledger.frame(
        {"a": timing(0.0, net=1), "b": timing(0.0, crops=3)},
        {1: frozenset({"a"}), 2: frozenset({"b"})},
        closure,
    )
    assert share(ledger, 1, "triton") == 0 and ledger.totals()["pending_images"] == 4
    pending = ledger.take_pending()
    ledger.settle(pending, {"net": 0.010})  # no price for `crops` yet: stays pending
    assert share(ledger, 1, "triton") == pytest.approx(0.005)
    assert share(ledger, 2, "triton") == pytest.approx(0.005)
    assert ledger.totals()["pending_images"] == 3
    ledger.settle(ledger.take_pending(), {"crops": 0.002})
    assert share(ledger, 2, "triton") == pytest.approx(0.011)
    nodes, subs = sums(ledger)
    assert nodes == subs and nodes["triton_s"] == pytest.approx(0.016)
    assert t.value(
        "framegraph_feature_cost_seconds_total", {"feature": "b", "where": "triton"}
    ) == pytest.approx(0.006)


def test_parameterised_nodes_count_under_their_feature_in_prometheus(ledger) -> None:
    ledger.charge("p(x=1)", 0.5, {}, [1])
    ledger.charge("p", 0.25, {}, [1])
    t = ledger.telemetry
    labels = {"feature": "p", "where": "worker"}
    assert t.value("framegraph_feature_cost_seconds_total", labels) == 0.75
    assert ledger.node("p(x=1)")["worker_s"] == 0.5


def test_old_ended_bills_are_summed(ledger, monkeypatch) -> None:
    monkeypatch.setattr("orchestrator.cost.ledger.KEEP_ENDED", 1)
    ledger.frame({"a": timing(0.2)}, {1: frozenset({"a"}), 2: frozenset({"a"})}, closure)
    ledger.leave(1)
    ledger.leave(2)
    assert list(ledger.ended) == [2] and ledger.departed.seconds["worker"] == pytest.approx(0.1)
    nodes, subs = sums(ledger)
    assert nodes == subs
