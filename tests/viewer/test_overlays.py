"""The generic rule: a feature the viewer has never heard of is drawn from its JSON alone."""

from __future__ import annotations

from .browser import wait_js

# Shapes of the hands features (a Detections-like palm box with 7 key points, 21 landmarks
# per hand, a gesture per hand), and the `boxes` list form.
DRAW = """async () => {
  const base = new URL('viewer/js/', document.baseURI);
  const { drawOverlays } = await import(new URL('overlays.js', base));
  const { colorOf } = await import(new URL('palette.js', base));
  const canvas = document.createElement('canvas');
  canvas.width = 400;
  canvas.height = 300;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const seven = Array.from({ length: 7 }, (_, i) => [110 + 10 * i, 100]);
  const hand = Array.from({ length: 21 }, (_, i) => [300, 250 - 8 * i, 0.1]);
  const features = {
    hands: { count: 1, objects: [{ box: [100, 80, 200, 220], score: 0.9, keypoints: seven }] },
    'hands.landmarks': {
      count: 1,
      hands: [{ present: true, presence: 0.9, handedness: 'right', points: hand }],
    },
    'hands.gesture': { count: 1, hands: [{ gesture: 'open_palm', score: 0.8 }] },
    cars: { boxes: [[20, 240, 80, 290]], labels: ['car'] },
  };
  const needs = { 'hands.landmarks': ['hands'], 'hands.gesture': ['hands.landmarks'] };
  const closure = (n) => {
    const out = new Set();
    for (const d of needs[n] || []) { out.add(d); closure(d).forEach((x) => out.add(x)); }
    return out;
  };
  drawOverlays(ctx, features, { closure, colorOf, masks: [] });
  const at = (x, y) => Array.from(ctx.getImageData(x, y, 1, 1).data);
  return {
    colors: {
      hands: colorOf('hands'), landmarks: colorOf('hands.landmarks'), cars: colorOf('cars'),
    },
    handEdge: at(100, 150),
    keypoint: at(130, 100),
    label: at(101, 69),
    bone: at(300, 246),
    carEdge: at(20, 265),
    empty: at(250, 40),
  };
}"""


def rgb(hex_color: str) -> list[int]:
    n = int(hex_color[1:], 16)
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255]


def test_a_new_features_boxes_points_and_labels_are_drawn_without_viewer_code(
    serve, new_page
) -> None:
    server = serve("--max-queue", "2", "--queue", "2")  # below the viewer's 4: it adapts
    page = new_page()
    page.goto(f"{server.url}/#features=motion")
    wait_js(page, "framegraph.state === 'live'")
    out = page.evaluate(DRAW)
    colors = {k: rgb(v) for k, v in out["colors"].items()}
    assert out["handEdge"] == [*colors["hands"], 255]  # the box
    assert out["keypoint"][:3] == colors["hands"]  # its 7 key points
    # the gesture (no box of its own) labels the hand box: the label's padding is drawn
    assert out["label"] == [*colors["hands"], 255]
    bone = out["bone"]  # on the 21-point skeleton (anti-aliased: colour within rounding)
    assert bone[3] > 0
    assert all(abs(a - b) <= 3 for a, b in zip(bone[:3], colors["landmarks"], strict=True))
    assert out["carEdge"] == [*colors["cars"], 255]  # {boxes: [...]} works too
    assert out["empty"][3] == 0
    assert colors["hands"] != colors["cars"]  # every feature its own colour
