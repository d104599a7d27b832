"""The viewer on the sample clip: frames on the canvas, person boxes where `persons` says.

Running it with FRAMEGRAPH_VIEWER_SCREENSHOT=docs/viewer.jpg refreshes the README's
screenshot (the same real browser, the same clip).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .browser import vtest_lines, wait_for, wait_js

pytestmark = [pytest.mark.triton, pytest.mark.slow]

FEATURES = "image.preview,persons.tracks,persons.dwell,persons.pose,motion,image.quality,scene.cut"

# What is on screen, read in one go (the page draws a frame's picture and overlays together).
SCREEN = """() => {
  const d = framegraph.drawn;
  const overlay = document.getElementById('overlay').getContext('2d');
  const video = document.getElementById('video').getContext('2d');
  const at = (ctx, x, y) => Array.from(ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data);
  const boxes = d.features.persons.objects.map((p) => p.box);
  const edges = boxes.map(([x1, y1, x2, y2]) =>
    [0.3, 0.5, 0.7].flatMap((k) => [at(overlay, x1, y1 + k * (y2 - y1)),
                                    at(overlay, x2, y1 + k * (y2 - y1))]));
  const lumas = [];
  for (let i = 1; i < 8; i++) for (let j = 1; j < 8; j++) {
    const [r, g, b] = at(video, (i * d.width) / 8, (j * d.height) / 8);
    lumas.push(0.3 * r + 0.59 * g + 0.11 * b);
  }
  return {
    frame: d.frame, width: d.width, height: d.height, boxes, edges, lumas,
    color: framegraph.colorOf('persons.tracks'),
    corner: at(overlay, 3, d.height - 3),
    tracks: d.features['persons.tracks'].objects.map((p) => p.box),
  };
}"""


def near(pixel: list[int], color: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 40 for a, b in zip(pixel, color, strict=True))


def rgb(hex_color: str) -> tuple[int, int, int]:
    n = int(hex_color[1:], 16)
    return (n >> 16) & 255, (n >> 8) & 255, n & 255


def test_frames_appear_and_person_boxes_are_drawn_where_the_events_say(
    serve, new_page, tmp_path: Path
) -> None:
    server = serve()
    page = new_page()
    page.goto(f"{server.url}/#features={FEATURES}")
    wait_js(page, "framegraph.state === 'live'")
    # Readiness starts Triton for the live plan; frames then flow at the camera's pace
    # from the first one (not stuck behind the server's start-up).
    wait_for(lambda: server.http.get("/readyz").status_code == 200, timeout=180)
    server.feed(vtest_lines() * 2)
    wait_js(page, "framegraph.plan && framegraph.plan.triton && framegraph.plan.triton.connected")
    wait_js(
        page,
        "framegraph.drawn && framegraph.drawn.frame >= 70"
        " && framegraph.drawn.features.persons.count > 0"
        " && document.querySelectorAll('.chart').length >= 4",
        timeout=240,
    )
    shot = Path(os.environ.get("FRAMEGRAPH_VIEWER_SCREENSHOT") or tmp_path / "viewer.png")
    jpeg = shot.suffix.lower() in (".jpg", ".jpeg")  # the README's: small enough to commit
    page.screenshot(path=str(shot), full_page=True, **({"quality": 85} if jpeg else {}))
    assert shot.read_bytes().startswith(b"\xff\xd8\xff" if jpeg else b"\x89PNG")

    shared = page.text_content('#plan li[data-node="persons"] .shared')
    assert shared == "×1"  # the live plan: this viewer alone needs persons
    assert "persons" in page.text_content("#plan .summary")  # Triton models in use, loaded

    page.click("#pause")
    assert page.text_content("#state").startswith("paused")
    screen = page.evaluate(SCREEN)
    assert (screen["width"], screen["height"]) == (768, 576)  # frame pixels, not preview ones
    spread = max(screen["lumas"]) - min(screen["lumas"])
    assert spread > 40, "the video canvas is blank"
    assert screen["tracks"] == screen["boxes"]  # the tracked boxes are the ones drawn
    color = rgb(screen["color"])
    for box, samples in zip(screen["boxes"], screen["edges"], strict=True):
        on_edge = [s for s in samples if s[3] >= 128 and near(s[:3], color)]
        assert len(on_edge) >= 4, (box, samples)  # (a pose line may cross an edge or two)
    assert screen["corner"][3] == 0  # no overlay away from the boxes
    assert page.errors == []
