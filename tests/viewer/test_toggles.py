"""Toggles in the page change this viewer's subscription, hence the server's live plan."""

from __future__ import annotations

import subprocess

from .browser import FRAMEGRAPH, vtest_lines, wait_for, wait_js


def test_a_toggle_changes_the_live_plan_and_stops_the_computation_nobody_wants(
    serve, new_page
) -> None:
    server = serve()
    page = new_page()
    page.goto(f"{server.url}/#features=image.preview,motion")
    wait_js(page, "framegraph.state === 'live'")
    other = subprocess.Popen(  # another client that wants motion too
        [FRAMEGRAPH, "watch", server.url, "-f", "motion"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: server.plan()["subscribers"] == 2)
        server.feed(vtest_lines(), loop=True)
        wait_js(page, "framegraph.drawn && 'motion' in framegraph.drawn.features")
        assert server.plan()["shared_by"]["motion"] == 2

        page.check('[data-feature="scene.cut"]')
        wait_for(lambda: "scene.cut" in server.plan()["requested"])
        wait_js(page, "framegraph.drawn && 'scene.cut' in framegraph.drawn.features")

        page.uncheck('[data-feature="motion"]')  # the other client still wants it
        wait_for(lambda: server.plan()["shared_by"].get("motion") == 1)
        wait_js(page, "framegraph.drawn && !('motion' in framegraph.drawn.features)")
        before = server.computed("motion")
        wait_for(lambda: server.computed("motion") > before)
        assert page.url.endswith("#features=image.preview,scene.cut")
    finally:
        other.terminate()
        other.wait(10)

    wait_for(lambda: "motion" not in server.plan()["order"])  # nobody wants it any more
    completed = ("framegraph_frames_completed_total", "")
    settle = server.metrics()[completed] + 5  # frames planned before the change are out
    wait_for(lambda: server.metrics()[completed] >= settle)
    stopped = server.computed("motion")
    later = server.metrics()[completed] + 10
    wait_for(lambda: server.metrics()[completed] >= later)
    assert server.computed("motion") == stopped
    assert server.computed("scene.cut") >= 10  # the stream went on
    assert page.errors == []
