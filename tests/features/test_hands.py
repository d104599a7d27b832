"""The worker side of the hand features: palms back to frame pixels, upright hand regions,
landmarks mapped back, gestures of present hands only. Triton is a canned `Infer` here; the
real nets run in tests/integration/test_hands.py."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from orchestrator.engine.frame import FrameInfo
from orchestrator.features.hands import (
    HandLandmarks,
    hand_regions,
    hands,
    hands_gesture,
    hands_landmarks,
)
from orchestrator.models import Model, Outputs
from orchestrator.vision.detections import Detections


class Canned:
    def __init__(self, outputs: Outputs) -> None:
        self.outputs = outputs
        self.batches: list[np.ndarray] = []

    async def __call__(self, model: Model, batch: np.ndarray) -> Outputs:
        self.batches.append(batch)
        return self.outputs


def palm(box: list[float], wrist: list[float], middle: list[float]) -> Detections:
    keypoints = np.zeros((1, 7, 2), np.float32)
    keypoints[0, 0], keypoints[0, 2] = wrist, middle
    return Detections(np.array([box], np.float32), np.array([0.9], np.float32), keypoints)


def test_palms_come_back_in_frame_pixels() -> None:
    # 400x200 letterboxed into 192x192: scale 0.48, 48 px of padding above and below
    infer = Canned(
        {
            "boxes": np.array([[[0.25, 0.5, 0.5, 0.75]]], np.float32),
            "keypoints": np.full((1, 1, 7, 2), 0.5, np.float32),
            "scores": np.array([[0.8]], np.float32),
            "count": np.array([[1]], np.int32),
        }
    )
    d = asyncio.run(hands(np.zeros((192, 192, 3), np.float32), FrameInfo(0, 0.0, 400, 200), infer))
    np.testing.assert_allclose(d.xyxy, [[100, 100, 200, 200]], atol=1e-3)
    assert d.keypoints is not None and d.keypoints.shape == (1, 7, 2)
    np.testing.assert_allclose(d.keypoints[0, 0], [200, 100], atol=1e-3)


def test_an_upright_palm_gives_an_upright_region_reaching_for_the_fingers() -> None:
    region = hand_regions(palm([40, 40, 60, 60], wrist=[50, 60], middle=[50, 40]))
    assert region.angle[0] == pytest.approx(0.0, abs=1e-6)
    np.testing.assert_allclose(region.centre[0], [50, 40], atol=1e-4)  # half a palm up
    assert region.side[0] == pytest.approx(52.0)  # 2.6 x the 20-pixel palm


def test_a_palm_pointing_right_is_turned_a_quarter_and_shifted_right() -> None:
    region = hand_regions(palm([40, 40, 60, 60], wrist=[40, 50], middle=[60, 50]))
    assert region.angle[0] == pytest.approx(np.pi / 2)
    np.testing.assert_allclose(region.centre[0], [60, 50], atol=1e-4)


def test_landmarks_map_back_through_the_rotated_crop() -> None:
    image = np.zeros((100, 100, 3), np.uint8)
    centre_of_crop = np.full((1, 21, 3), [112.0, 112.0, 0.0], np.float32)
    infer = Canned(
        {
            "landmarks": centre_of_crop,
            "presence": np.array([[0.9]], np.float32),
            "handedness": np.array([[0.2]], np.float32),
        }
    )
    palms = palm([40, 40, 60, 60], wrist=[40, 50], middle=[60, 50])
    out = asyncio.run(hands_landmarks(palms, image, infer))
    assert infer.batches[0].shape == (1, 224, 224, 3) and infer.batches[0].dtype == np.float32
    np.testing.assert_allclose(out.points[0, :, :2], np.tile([60, 50], (21, 1)), atol=1e-3)
    (hand,) = out.to_json()["hands"]
    assert hand["handedness"] == "left" and hand["handedness_score"] == 0.8 and hand["present"]


def test_gestures_only_for_hands_present() -> None:
    open_hand = np.zeros((21, 3), np.float32)
    for finger, x in zip(range(5), (-40, -20, 0, 20, 40), strict=True):  # five straight rays
        for joint in range(4):
            open_hand[1 + 4 * finger + joint, :2] = [x * (joint + 1) / 4, -25.0 * (joint + 1)]
    landmarks = HandLandmarks(
        np.stack([open_hand, open_hand]), np.array([0.9, 0.1]), np.array([0.7, 0.7])
    )
    gestures = hands_gesture(landmarks).to_json()
    assert gestures["count"] == 1
    assert gestures["hands"][0]["gesture"] == "open_palm"
    assert gestures["hands"][0]["handedness"] == "right"
