"""Parameters, rates and costs over HTTP: /events, /ws, /plan and /subscriptions."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from websockets.asyncio.client import connect


def ws_url(live: Any, query: str = "") -> str:
    return live.url.replace("http://", "ws://") + "/ws" + query


async def ask(ws: Any, **body: Any) -> dict[str, Any]:
    await ws.send(orjson.dumps(body).decode())
    return orjson.loads(await ws.recv(decode=False))


async def test_a_reduced_rate_client_gets_its_frames_only(start, sse, tiny) -> None:
    live = await start()
    full = sse(live.url).open(features="image.quality")
    third = sse(live.url).open(features="image.quality,motion", every="3")
    await full.subscribed()
    await third.subscribed()
    await live.feed(tiny(10))
    live.end_input()
    await full
    await third
    assert [r["frame"] for r in full.results()] == list(range(10))
    assert [r["frame"] for r in third.results()] == [0, 3, 6, 9]
    assert third.results()[2]["features"]["motion"]["from_frame"] == 3  # its last 2 runs
    computed = live.telemetry.by_label("framegraph_feature_computations_total", "feature")
    assert computed["image.quality"] == 10 and computed["motion"] == 4


async def test_bad_requests_name_what_is_wrong(start) -> None:
    live = await start()
    async with httpx.AsyncClient(base_url=live.url) as client:
        r = await client.get("/events", params={"features": "persons(min_score=2)"})
        assert r.status_code == 400 and r.json()["error"] == "bad_parameter"
        assert r.json()["feature"] == "persons" and r.json()["parameter"] == "min_score"
        assert "must be a float from 0.1 to 1" in r.json()["message"]
        r = await client.get("/events", params={"features": "motion", "every": "0"})
        assert r.status_code == 400 and r.json()["error"] == "bad_rate"
        r = await client.get("/plan", params={"features": "motion(x"})
        assert r.status_code == 400 and r.json()["error"] == "bad_request"
        r = await client.get("/plan", params={"features": "activity(rate=2)"})
        assert r.status_code == 400 and "tiling" in r.json()["message"]


async def test_a_plan_shows_parameters_and_on_which_frames_nodes_run(start) -> None:
    live = await start()
    async with httpx.AsyncClient(base_url=live.url) as client:
        r = await client.get(
            "/plan",
            params={"features": "persons(min_score=0.3),persons,motion", "every": "2"},
        )
    plan = r.json()
    assert plan["order"].count("persons.detections") == 1  # one detector for both thresholds
    assert plan["params"] == {"persons(min_score=0.3)": {"min_score": 0.3}}
    assert plan["runs"]["motion"] == "every 2 frames"
    assert plan["wants"][2] == {
        "feature": "motion",
        "name": "motion",
        "params": {},
        "runs": "every 2 frames",
        "every": 2,
    }


async def test_websocket_structured_features_rates_and_acks_with_costs(start, tiny) -> None:
    live = await start()
    async with connect(ws_url(live)) as ws:
        ack = await ask(
            ws, type="subscribe", features=[{"name": "image.quality", "every": 2}], rate=50
        )
        assert ack["type"] == "subscribed" and ack["features"] == ["image.quality"]
        assert ack["wants"][0]["every"] == 2 and ack["rate"] == {"rate": 50.0}
        assert ack["cost"]["worker_s"] == 0 and "cost" in ack["plan"]
        await live.feed(tiny(5))
        frames = []
        while len(frames) < 3:
            event = orjson.loads(await ws.recv(decode=False))
            frames.append(event["frame"])
        assert frames == [0, 2, 4]
        ack = await ask(ws, type="change", features="motion", every=4)
        assert ack["type"] == "changed" and ack["rate"] == {"every": 4}
        rejected = await ask(ws, type="change", features=[{"name": "motion", "params": {"x": 1}}])
        assert rejected["type"] == "rejected" and rejected["error"] == "bad_parameter"


async def test_subscriptions_list_features_rates_cost_shares_and_events(start, sse, tiny) -> None:
    live = await start()
    alone = sse(live.url).open(features="image.quality,motion")
    half = sse(live.url).open(features="motion")
    await alone.subscribed()
    await half.subscribed()
    await live.feed(tiny(12))
    await live.frames_done(12)
    late = sse(live.url).open(features="scene.cut(every=5)", rate="2")
    await late.subscribed()
    async with httpx.AsyncClient(base_url=live.url) as client:
        listing = (await client.get("/subscriptions")).json()
        plan = (await client.get("/plan")).json()
    subs = {tuple(s["features"]): s for s in listing["subscriptions"]}
    a, h, lt = subs[("image.quality", "motion")], subs[("motion",)], subs[("scene.cut",)]
    assert lt["rate"] == {"rate": 2.0} and lt["wants"][0]["runs"] == "every 5 frames"
    assert lt["cost"]["worker_s"] == 0 and lt["events"] == {
        "delivered": 0,
        "dropped": 0,
        "queued": 0,
    }
    motion_cost = live.worker.ledger.node("motion")["worker_s"]
    quality_cost = live.worker.ledger.node("image.quality")["worker_s"]
    gray_cost = live.worker.ledger.node("image.gray")["worker_s"]
    # image.quality (and image.gray) are the first client's alone; motion's chain is shared
    assert a["cost"]["worker_s"] - h["cost"]["worker_s"] == pytest.approx(
        quality_cost + gray_cost, rel=1e-3, abs=1e-5
    )
    assert h["cost"]["worker_s"] == pytest.approx(
        (
            motion_cost
            + live.worker.ledger.node("image.thumb")["worker_s"]
            + live.worker.ledger.node("image.small")["worker_s"]
        )
        / 2,
        rel=1e-3,
        abs=1e-5,
    )
    totals = listing["totals"]
    assert totals["nodes"]["worker_s"] == pytest.approx(
        totals["subscriptions"]["worker_s"] + totals["departed"]["worker_s"], abs=1e-5
    )
    cost = plan["cost"]
    assert cost["motion"]["subscriptions"] == 2 and cost["image.quality"]["subscriptions"] == 1
    assert cost["motion"]["computed"] == 12 and cost["motion"]["mean_ms"]["worker"] is not None
    live.end_input()
    await alone
    await half
    await late
    end = alone.events[-1][1]
    assert end["type"] == "end" and end["delivered"] == 12
