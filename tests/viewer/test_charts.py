"""Scalar results become time series; a scene cut is a mark across them."""

from __future__ import annotations

from .browser import clip_lines, wait_js

RED_PIXELS = """() => Array.from(document.querySelectorAll('.chart canvas')).map((c) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let red = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i] === 255 && d[i + 1] === 92 && d[i + 2] === 92 && d[i + 3] === 255) red++;
  }
  return red;
})"""  # the cut mark's colour, #ff5c5c


def test_time_series_and_scene_cut_marks(serve, new_page) -> None:
    server = serve()
    page = new_page()
    page.goto(f"{server.url}/#features=image.preview,scene.cut,motion")
    wait_js(page, "framegraph.state === 'live'")
    street, film = clip_lines("vtest"), clip_lines("megamind")
    # Blocks of 3 frames from each clip: a cut every 3 frames, so that a viewer that
    # skips a frame or two (policy latest) still sees some.
    lines = [line for k in range(8) for line in (street, film)[k % 2][3 * k : 3 * k + 3]]
    server.feed(lines, fps=8)
    server.end_input()
    wait_js(page, "framegraph.state === 'ended'")
    series = page.eval_on_selector_all(".chart", "els => els.map((e) => e.dataset.series)")
    assert {"scene.cut.score", "motion.energy", "motion.fraction"} <= set(series)
    cuts = page.evaluate("framegraph.charts.cuts")
    assert cuts and all(frame % 3 == 0 for frame in cuts), cuts
    assert all(red > 0 for red in page.evaluate(RED_PIXELS))  # the mark, on every chart
    assert page.errors == []
