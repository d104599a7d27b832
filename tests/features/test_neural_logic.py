"""The worker-side logic of the neural features, with Triton replaced by canned outputs.

The real server path is covered by tests/integration; here the mapping of outputs back to
frame pixels, the smoothing, the blink counting and the dwell state are pinned down.
"""

from __future__ import annotations

import asyncio

import numpy as np

from orchestrator.engine.frame import FrameInfo
from orchestrator.features.blinks import EYES, faces_blinks, faces_eyes
from orchestrator.features.expression import Expressions, faces_expression_smoothed
from orchestrator.features.faces import BLAZEFACE, faces
from orchestrator.features.landmarks import Landmarks
from orchestrator.features.persons import DwellState, persons, persons_detections, persons_dwell
from orchestrator.models import Model, Outputs
from orchestrator.vision.detections import Detections


class Canned:
    """An `Infer` that answers every call with the same outputs, and records the calls."""

    def __init__(self, outputs: dict[str, np.ndarray]) -> None:
        self.outputs = outputs
        self.calls: list[tuple[str, tuple[int, ...]]] = []

    async def __call__(self, model: Model, batch: np.ndarray) -> Outputs:
        self.calls.append((model.name, batch.shape))
        return self.outputs


INFO = FrameInfo(0, 0.0, 800, 400)


def test_person_boxes_come_back_in_frame_pixels() -> None:
    triton = Canned(
        {
            "boxes": np.array([[[0.1, 0.2, 0.5, 1.0], [0, 0, 0, 0]]], np.float32),
            "scores": np.array([[0.9, 0.0]], np.float32),
            "count": np.array([[1]], np.int32),
        }
    )
    d = asyncio.run(persons_detections(np.zeros((300, 300, 3), np.uint8), INFO, triton))
    np.testing.assert_allclose(d.xyxy, [[80, 80, 400, 400]])
    assert triton.calls == [("persons", (1, 300, 300, 3))]


def test_persons_keep_the_clients_threshold_of_the_shared_detections() -> None:
    boxes = np.array([[0, 0, 10, 10], [5, 5, 20, 20], [1, 1, 2, 2]], np.float32)
    shared = Detections(boxes, np.array([0.9, 0.35, 0.5], np.float32))
    np.testing.assert_allclose(persons(shared, min_score=0.5).confidence, [0.9, 0.5])
    low = persons(shared, min_score=0.3)
    assert low is shared and len(low) == 3


def test_face_boxes_undo_the_letterbox() -> None:
    # 800x400 letterboxed into 128x128: scale 0.16, 32 px of padding above and below.
    triton = Canned(
        {
            "boxes": np.array([[[0.5, 0.25, 0.75, 0.5]]], np.float32),
            "keypoints": np.full((1, 1, 6, 2), 0.5, np.float32),
            "scores": np.array([[0.8]], np.float32),
            "count": np.array([[1]], np.int32),
        }
    )
    near, far = np.zeros((128, 128, 3), np.float32), np.zeros((192, 192, 3), np.float32)
    d = asyncio.run(faces(near, far, INFO, triton))
    assert [name for name, _ in triton.calls] == ["faces", "faces_full_range"]
    assert BLAZEFACE.letterbox(400, 800).pad_y == 32
    assert len(d) == 1  # both nets saw the same face: merged into one
    np.testing.assert_allclose(d.xyxy, [[400, 0, 600, 200]], atol=1e-3)
    np.testing.assert_allclose(d.keypoints[0, 0], [400, 200], atol=1e-3)


def probs(label: int) -> np.ndarray:
    p = np.full(7, 0.05, np.float32)
    p[label] = 0.7
    return p


def tracked(*ids: int) -> Detections:
    n = len(ids)
    return Detections(
        np.zeros((n, 4), np.float32), np.ones(n, np.float32), tracker_id=np.array(ids)
    )


def test_smoothing_averages_each_track_over_the_window() -> None:
    # track 7 is "happy" (3) for 3 frames then "sad" (4) once: still happy when smoothed
    happy = Expressions(np.stack([probs(3)]))
    expressions = (happy, happy, happy, Expressions(np.stack([probs(4), probs(0)])))
    tracks = (tracked(7), tracked(7), tracked(7), tracked(7, -1))
    out = faces_expression_smoothed(expressions, tracks)
    assert out.labels == ["happy", "angry"]  # the untracked face keeps its own label
    assert out.frames.tolist() == [4, 1]
    assert out.to_json()["faces"][1]["track"] is None


def face_points(ear: float) -> np.ndarray:
    pts = np.zeros((468, 3), np.float32)
    for p1, p2, p3, p4, p5, p6 in EYES.values():
        pts[p1, :2], pts[p4, :2] = (0, 0), (10, 0)
        pts[p2, :2], pts[p6, :2] = (3, ear * 5), (3, -ear * 5)
        pts[p3, :2], pts[p5, :2] = (7, ear * 5), (7, -ear * 5)
    return pts


def test_blinks_count_closed_then_open_runs() -> None:
    ears = [0.3, 0.3, 0.1, 0.1, 0.3, 0.3, 0.12, 0.3]
    eyes = tuple(faces_eyes(Landmarks(face_points(e)[None], np.ones(1))) for e in ears)
    np.testing.assert_allclose([float(e[0]) for e in eyes], ears, atol=1e-6)
    tracks = tuple(tracked(1) for _ in ears)
    infos = tuple(FrameInfo(i, float(i) / 2, 10, 10) for i in range(len(ears)))
    track = faces_blinks(eyes, tracks, infos).tracks[0]
    assert track["blinks"] == 2 and track["eyes_closed"] is False
    assert abs(track["ear"] - 0.3) < 1e-3 and track["rate_per_min"] == round(2 * 60 / 3.5, 1)


def test_dwell_counts_from_first_sight_and_forgets_old_tracks() -> None:
    state = DwellState()
    persons_dwell(tracked(1), FrameInfo(0, 100.0, 1, 1), state)
    out = persons_dwell(tracked(1, 2), FrameInfo(5, 103.0, 1, 1), state)
    assert out.tracks == [
        {"track": 1, "seconds": 3.0, "frames": 6},
        {"track": 2, "seconds": 0.0, "frames": 1},
    ]
    persons_dwell(tracked(), FrameInfo(6, 500.0, 1, 1), state)
    assert state.first == {}  # unseen for over a minute: forgotten, memory stays flat
