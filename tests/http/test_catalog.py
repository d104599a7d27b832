"""GET /features and GET /plan."""

from __future__ import annotations

import httpx
import orjson
from click.testing import CliRunner

from orchestrator.cli.features import features_command
from orchestrator.cli.plan import plan_command


async def test_features_lists_the_catalog_as_the_cli_does(start) -> None:
    live = await start()
    async with httpx.AsyncClient(base_url=live.url) as client:
        listed = (await client.get("/features")).json()
        everything = (await client.get("/features", params={"all": "1"})).json()
    by_name = {f["name"]: f for f in listed["features"]}
    assert list(by_name) == sorted(live.worker.catalog.public())
    motion = by_name["motion"]
    assert motion["needs"] == ["image.thumb"] and motion["window"] == "last 2"
    assert motion["runs_in"] == "worker"
    assert motion["result"] == "Motion"
    assert (
        motion["schema"] == "{fraction: 0..1, energy: 0..1} + warming_up, from_frame"
    )  # the JSON shape
    cli = orjson.loads(CliRunner().invoke(features_command, ["--json"]).output)
    assert listed["features"] == cli  # one source of truth for the catalog
    assert "image.thumb" in {f["name"] for f in everything["features"]}


async def test_plan_matches_the_cli_and_the_live_plan_follows_subscribers(start, sse) -> None:
    live = await start()
    async with httpx.AsyncClient(base_url=live.url) as client:
        r = await client.get("/plan", params={"features": "scene.cut,motion"})
        cli = CliRunner().invoke(plan_command, ["--features", "scene.cut,motion", "--json"])
        assert r.json() == orjson.loads(cli.output)
        idle = (await client.get("/plan")).json()
        assert idle["live"] and idle["order"] == [] and idle["subscribers"] == 0
        await sse(live.url).open(features="motion").subscribed()
        assert (await client.get("/plan")).json()["requested"] == ["motion"]


async def test_unknown_paths_and_methods_are_json_errors(start) -> None:
    live = await start()
    async with httpx.AsyncClient(base_url=live.url) as client:
        r = await client.get("/nope")
        assert r.status_code == 404 and r.json()["error"] == "not_found"
        r = await client.post("/features")
        assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"


async def test_the_live_plan_says_how_many_subscriptions_share_each_node(start, sse) -> None:
    live = await start()
    await sse(live.url).open(features="motion").subscribed()
    await sse(live.url).open(features="motion,scene.cut").subscribed()
    async with httpx.AsyncClient(base_url=live.url) as client:
        plan = (await client.get("/plan")).json()
    assert plan["subscribers"] == 2
    assert plan["shared_by"] == {
        "image.small": 2,
        "image.thumb": 2,
        "motion": 2,
        "image.histogram": 1,
        "scene.cut": 1,
    }
    assert list(plan["shared_by"]) == plan["order"]
    assert plan["triton"] is None  # this worker has no Triton at all
