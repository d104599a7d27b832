"""Two viewers and an SSE client on image.preview and persons: each computed once per frame."""

from __future__ import annotations

import threading

import httpx
import orjson
import pytest
from httpx_sse import connect_sse

from .browser import vtest_lines, wait_for, wait_js

pytestmark = [pytest.mark.triton, pytest.mark.slow]

SUBSET = "image.preview,persons"


def test_viewers_and_an_sse_client_share_each_computation(serve, new_page) -> None:
    server = serve("--lossless")
    pages = [new_page(), new_page()]
    for page in pages:
        page.goto(f"{server.url}/#features={SUBSET}")
        wait_js(page, "framegraph.state === 'live'")
    events: dict[int, dict] = {}

    def read() -> None:
        with (
            httpx.Client(timeout=httpx.Timeout(10, read=300)) as client,
            connect_sse(client, "GET", f"{server.url}/events", params={"features": SUBSET}) as src,
        ):
            for e in src.iter_sse():
                if e.event == "result":
                    data = orjson.loads(e.data)
                    events[data["frame"]] = data["features"]
                elif e.event == "end":
                    return

    reader = threading.Thread(target=read)
    reader.start()
    wait_for(lambda: server.plan()["subscribers"] == 3)
    plan = server.plan()
    assert plan["shared_by"]["image.preview"] == plan["shared_by"]["persons"] == 3
    for page in pages:  # and each viewer's plan panel says so
        wait_js(
            page,
            "document.querySelector('#plan li[data-node=\"persons\"] .shared')"
            "?.textContent === '×3'",
        )

    # the person detector starts with the first subscriber: feed once it is ready (frames
    # before would say "Triton is starting", and this test counts computations)
    wait_for(lambda: httpx.get(f"{server.url}/readyz").status_code == 200, 120)
    lines = vtest_lines()
    server.feed(lines)
    server.end_input()
    reader.join(300)
    assert sorted(events) == list(range(len(lines)))  # lossless: every frame, in order

    m = server.metrics()
    frames = len(lines)
    assert m[("framegraph_frames_completed_total", "")] == frames
    for feature in ("image.preview", "persons"):
        assert m[("framegraph_feature_computations_total", feature)] == frames  # once per frame
        assert m[("framegraph_feature_deliveries_total", feature)] == 3 * frames

    for page in pages:  # what each viewer shows is what the SSE client got for that frame
        wait_js(page, "framegraph.state === 'ended'")
        drawn = page.evaluate("framegraph.drawn")
        assert drawn["features"] == events[drawn["frame"]]
        assert page.errors == []
