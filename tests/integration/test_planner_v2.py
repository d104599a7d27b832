"""Parameters, rates and costs against the real embedded Triton and its own statistics."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import orjson
import pytest

from orchestrator.bench import tritonstats
from orchestrator.bench.exactness import check
from orchestrator.bench.streams import StreamResult, parse_event
from orchestrator.features import default_catalog
from orchestrator.graph import Planner, resolve
from orchestrator.stream.pipeline import PipelineConfig
from orchestrator.stream.worker import Worker
from orchestrator.telemetry.stats import summary
from orchestrator.triton.client import TritonClient

from .streams import lines_of

pytestmark = pytest.mark.triton
FRAMES = 8


async def run_clients(
    url: str, data: bytes, requests: list[str], leave_after: dict[int, int] | None = None
) -> tuple[list[list[dict[str, Any]]], Worker]:
    """One in-process worker with a real Triton client, one subscription per request; a
    subscription in `leave_after` leaves once it has that many results."""
    client = TritonClient(url)
    catalog = default_catalog()
    try:
        await client.check(catalog.models())
        worker = Worker(catalog, PipelineConfig(lossless=True, max_in_flight=2), triton=client)
        subs = [worker.hub.subscribe(resolve(catalog, r), "lossless", 256) for r in requests]

        async def read(i: int) -> list[dict[str, Any]]:
            out: list[dict[str, Any]] = []
            while (msg := await subs[i].get()) is not None:
                out.append(orjson.loads(msg.data))
                if (leave_after or {}).get(i) == len(out):
                    worker.hub.unsubscribe(subs[i])
            return out

        readers = [asyncio.create_task(read(i)) for i in range(len(subs))]
        await worker.run(io.BytesIO(data), handle_signals=False)
        return list(await asyncio.gather(*readers)), worker
    finally:
        await client.close()


def model_counts(triton_client: Any) -> tritonstats.Snapshot:
    return tritonstats.snapshot(triton_client)


def test_two_thresholds_share_one_detection_per_frame(triton, triton_client, vtest_jpegs):
    before = model_counts(triton_client)
    (low, default), worker = asyncio.run(
        run_clients(
            triton.grpc_url,
            lines_of(vtest_jpegs[:FRAMES]),
            ["persons(min_score=0.3)", "persons"],
        )
    )
    delta = tritonstats.delta(before, model_counts(triton_client))
    assert delta["ssdlite_person"]["inferences"] == FRAMES  # Triton's own count: one per frame
    assert delta["persons"]["inferences"] == FRAMES
    more = 0
    for lo, de in zip(low, default, strict=True):
        assert set(lo["features"]) == {"persons(min_score=0.3)"}
        assert set(de["features"]) == {"persons"}
        lo_scores = [o["score"] for o in lo["features"]["persons(min_score=0.3)"]["objects"]]
        de_scores = [o["score"] for o in de["features"]["persons"]["objects"]]
        assert all(s >= 0.3 for s in lo_scores) and all(s >= 0.5 for s in de_scores)
        assert de_scores == [s for s in lo_scores if s >= 0.5]  # same detections, filtered
        more += len(lo_scores) - len(de_scores)
    assert more > 0  # the lower threshold did find more people on these frames
    computed = worker.telemetry.nodes
    assert computed["persons.detections"].computed == FRAMES
    assert computed["persons"].computed == computed["persons(min_score=0.3)"].computed == FRAMES


def test_costs_alone_shared_leaving_and_the_sums(triton, vtest_jpegs) -> None:
    """Worker CPU and Triton compute per node (Triton's statistics), shared equally among
    the subscriptions that needed the node on each frame."""
    data = lines_of(vtest_jpegs[:FRAMES])
    _, alone = asyncio.run(run_clients(triton.grpc_url, data, ["persons"]))
    node = alone.ledger.node("persons.detections")
    assert node["computed"] == FRAMES and node["triton_s"] > 0 and node["worker_s"] > 0
    totals = alone.ledger.totals()
    assert totals["pending_images"] == 0  # every request priced from Triton's statistics
    (only,) = alone.ledger.ended.values()  # a client alone pays the whole cost
    assert only.seconds["triton"] == pytest.approx(totals["nodes"]["triton_s"], abs=1e-6)
    assert only.seconds["worker"] == pytest.approx(totals["nodes"]["worker_s"], abs=1e-6)

    requests = ["persons", "persons", "persons(min_score=0.3)"]
    events, shared = asyncio.run(run_clients(triton.grpc_url, data, requests, {2: 3}))
    assert len(events[0]) == len(events[1]) == FRAMES and 3 <= len(events[2]) < FRAMES
    ledger = shared.ledger
    a, b, leaver = (ledger.ended[k].seconds for k in sorted(ledger.ended))  # by subscription
    assert a["triton"] == pytest.approx(b["triton"]) and a["worker"] == pytest.approx(b["worker"])
    detections = ledger.nodes["persons.detections"].seconds["triton"]
    # the leaver paid a third of the detector on its frames only, then stopped paying
    assert 0 < leaver["triton"] < detections / 3 < a["triton"]
    t = ledger.totals()
    for where in ("worker_s", "triton_s"):
        assert t["nodes"][where] == pytest.approx(t["departed"][where] + t["subscriptions"][where])
    assert shared.costs.describe()["persons"] > 0  # type: ignore[union-attr]


def test_the_exactly_once_check_understands_parameters_and_rates(
    triton, triton_client, vtest_jpegs
) -> None:
    catalog = default_catalog()
    request = "persons(min_score=0.3),persons(every=2),persons.pose(every=3)"
    wants = resolve(catalog, request)
    before = model_counts(triton_client)
    (events,), worker = asyncio.run(
        run_clients(triton.grpc_url, lines_of(vtest_jpegs[:FRAMES]), [request])
    )
    models = tritonstats.describe(tritonstats.delta(before, model_counts(triton_client)))
    records = [parse_event(orjson.dumps(e), 0.0) for e in events]
    stats = summary(worker.telemetry, cost=worker.cost_summary())
    computed = {name: int(s["computed"]) for name, s in stats["features"].items()}
    stream = StreamResult(0, records, FRAMES, 0.0, 0.0, 0.0, 0, computed, [], "")
    plan = Planner(catalog).plan(w.key for w in wants)
    result = check(plan, [stream], models, wants)
    assert result.ok, result.problems
    assert result.models["persons"].expected_inferences == FRAMES
    # persons every 2nd frame, and on every 3rd for the pose: frames 0, 2, 3, 4, 6
    assert result.features.computed["persons"] == 5
    assert result.features.computed["persons.pose"] == 3  # frames 0, 3, 6
