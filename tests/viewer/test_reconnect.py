"""The page says when the stream ends or the connection drops, and comes back by itself."""

from __future__ import annotations

from .browser import free_port, vtest_lines, wait_js

RECEIVED_MORE = "framegraph.state === 'live' && framegraph.received > {}"


def test_stream_end_and_lost_connections_are_shown_and_recovered_from(serve, new_page) -> None:
    port = free_port()
    lines = vtest_lines()
    first = serve(port=port)
    page = new_page()
    page.goto(f"{first.url}/#features=image.preview,motion")
    wait_js(page, "framegraph.state === 'live'")
    first.feed(lines[:10])
    first.end_input()  # end of stream: the server says so, and lingers
    wait_js(page, "framegraph.state === 'ended'")
    assert page.is_visible("#banner") and "Stream ended" in page.text_content("#banner")
    assert page.evaluate("framegraph.drawn.frame") == 9  # the last frame stays on screen
    first.stop()

    second = serve(port=port)  # a new stream on the same address: the page resubscribes
    received = page.evaluate("framegraph.received")
    second.feed(lines, loop=True)
    wait_js(page, RECEIVED_MORE.format(received))
    assert page.is_hidden("#banner")
    second.kill()  # a crash: no goodbye, the connection just drops
    wait_js(page, "framegraph.state === 'disconnected'")
    assert "Connection lost" in page.text_content("#banner")

    third = serve(port=port)
    received = page.evaluate("framegraph.received")
    third.feed(lines, loop=True)
    wait_js(page, RECEIVED_MORE.format(received))
    assert sorted(third.plan()["requested"]) == ["image.preview", "motion"]  # the same selection
    assert page.errors == []
