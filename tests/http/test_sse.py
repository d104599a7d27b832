"""GET /events: per-client subsets over one shared plan, on a real server and SSE client."""

from __future__ import annotations

import asyncio

import httpx

from orchestrator.http import Settings


async def test_two_clients_get_exactly_their_subsets_and_shared_work_runs_once(
    start, sse, vtest_lines
) -> None:
    live = await start()
    a = sse(live.url).open(features="image.quality,motion")
    b = sse(live.url).open(features="motion,scene.cut", policy="lossless")
    await a.subscribed()
    await b.subscribed()
    await live.feed(vtest_lines)
    live.end_input()
    await a
    await b
    n = len(vtest_lines)
    for stream, subset in ((a, {"image.quality", "motion"}), (b, {"motion", "scene.cut"})):
        results = stream.results()
        assert [r["frame"] for r in results] == list(range(n))  # the same frames, in order
        assert all(set(r["features"]) == subset and not r["errors"] for r in results)
        assert stream.kinds()[0] == "subscribed" and stream.kinds()[-1] == "end"
        assert stream.events[-1][1]["code"] == "end_of_stream"
    # same frame, same shared result for both clients
    assert [r["features"]["motion"] for r in a.results()] == [
        r["features"]["motion"] for r in b.results()
    ]
    t = live.telemetry
    computed = t.by_label("framegraph_feature_computations_total", "feature")
    delivered = t.by_label("framegraph_feature_deliveries_total", "feature")
    # every node of the union once per frame, the shared prerequisite image.small included
    assert {f: computed[f] for f in ("image.quality", "motion", "scene.cut", "image.small")} == {
        "image.quality": n,
        "motion": n,
        "scene.cut": n,
        "image.small": n,
    }
    assert delivered == {"image.quality": n, "motion": 2 * n, "scene.cut": n}


async def test_without_grace_a_disconnect_releases_at_once(start, sse, until, tiny) -> None:
    live = await start(Settings(grace=0))  # with one, tests/http/test_resume.py
    keep = sse(live.url).open(features="image.quality")
    gone = sse(live.url).open(features="motion")
    await keep.subscribed()
    await gone.subscribed()
    assert {k.id for k in live.hub.requested()} == {"image.quality", "motion"}
    gone.task.cancel()  # the client goes away without a word
    took = await until(lambda: {k.id for k in live.hub.requested()} == {"image.quality"})
    assert took < 1.0
    assert live.telemetry.value("framegraph_subscribers", {"policy": "latest"}) == 1
    await live.feed(tiny(5))
    await live.frames_done(5)
    computed = live.telemetry.by_label("framegraph_feature_computations_total", "feature")
    assert "motion" not in computed and computed["image.quality"] == 5  # the plan shrank
    async with httpx.AsyncClient() as client:
        r = await client.get(f"{live.url}/plan")
    assert r.json()["requested"] == ["image.quality"] and r.json()["subscribers"] == 1


async def test_late_joiner_to_a_windowed_feature_warms_up_first(start, sse, tiny) -> None:
    live = await start()
    early = sse(live.url).open(features="image.quality")
    await early.subscribed()
    await live.feed(tiny(6))
    await live.frames_done(6)
    late = sse(live.url).open(features="motion,scene.cut")
    await late.subscribed()
    await live.feed(tiny(6, seed=1))
    live.end_input()
    await late
    first, *rest = late.results()
    assert first["frame"] == 6
    assert first["features"]["motion"]["warming_up"] is True
    assert first["features"]["scene.cut"]["warming_up"] is True
    assert all(not r["features"]["motion"]["warming_up"] for r in rest)


async def test_joining_a_feature_already_warm_gets_warm_results(start, sse, tiny) -> None:
    live = await start()
    early = sse(live.url).open(features="motion")
    await early.subscribed()
    await live.feed(tiny(4))
    await live.frames_done(4)
    late = sse(live.url).open(features="motion")
    await late.subscribed()
    await live.feed(tiny(2))
    live.end_input()
    await late
    assert [r["features"]["motion"]["warming_up"] for r in late.results()] == [False, False]


async def test_heartbeat_comments_keep_an_idle_stream_alive(start) -> None:
    from orchestrator.http import Settings

    live = await start(Settings(heartbeat=0.1))
    lines: list[str] = []
    async with (
        httpx.AsyncClient() as client,
        client.stream("GET", f"{live.url}/events", params={"features": "motion"}) as response,
    ):
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-store"

        async def read() -> None:
            async for line in response.aiter_lines():
                lines.append(line)
                if line.startswith(":"):
                    return

        await asyncio.wait_for(read(), 2)
    assert lines[0] == "event: subscribed" and lines[-1].startswith(": ping")


async def test_bad_lines_and_frames_arrive_as_events(start, sse, tiny) -> None:
    live = await start()
    s = sse(live.url).open(features="image.quality")
    await s.subscribed()
    await live.feed([tiny(1)[0], b"not base64 at all!", b"aGVsbG8="])
    live.end_input()
    await s
    kinds = [(k, d.get("frame")) for k, d, _ in s.events if k not in ("subscribed", "end")]
    assert kinds == [("result", 0), ("error", 1), ("error", 2)]
    assert all(d["error"]["code"] for k, d, _ in s.events if k == "error")


async def test_after_end_of_input_new_subscribers_are_told_the_stream_ended(start, until) -> None:
    live = await start(linger=float("inf"))
    live.end_input()
    await until(lambda: live.hub.ended is not None)
    async with httpx.AsyncClient() as client:
        r = await client.get(f"{live.url}/events", params={"features": "motion"})
    assert r.status_code == 410 and r.json()["error"] == "stream_ended"
