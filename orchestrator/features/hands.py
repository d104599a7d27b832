"""Hands: palms (MediaPipe palm detector), 21 landmarks per hand, and the gesture they make.

The landmark net sees each hand upright: MediaPipe's palm-to-hand region (rotation from the
wrist to the middle finger's knuckle, shifted half a palm towards the fingers, 2.6x the palm
box, edge pixels replicated outside the frame), so one crop per palm goes in one request.
Handedness assumes an ordinary camera (not a mirrored selfie view).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from orchestrator.engine.frame import FrameInfo
from orchestrator.features.catalog import feature
from orchestrator.models import CropInput, FrameInput, Infer, Model, TensorSpec
from orchestrator.vision.crops import Regions
from orchestrator.vision.detections import Detections, from_letterbox
from orchestrator.vision.gestures import classify_many

PALM_KEYPOINTS = ("wrist", "index_mcp", "middle_mcp", "ring_mcp", "pinky_mcp", "thumb_cmc",
                  "thumb_mcp")
# MediaPipe palm detector (full) + anchor decoding and weighted NMS, on the letterboxed frame.
PALMS = Model(
    "hand_palms",
    FrameInput(192, "letterbox", "float32", scale=1 / 255.0),  # RGB in [0, 1]
    (
        TensorSpec("boxes", "FP32", (-1, 4)),  # normalised to the 192x192 input
        TensorSpec("keypoints", "FP32", (-1, 7, 2)),  # PALM_KEYPOINTS, normalised x, y
        TensorSpec("scores", "FP32", (-1,)),
        TensorSpec("count", "INT32", (1,)),
    ),
)
# MediaPipe hand landmarks (full) on the upright hand crop, RGB in [0, 1].
HAND_LANDMARKS = Model(
    "hand_landmarks",
    CropInput(224, "float32", scale=1 / 255.0, border="replicate"),
    (
        TensorSpec("landmarks", "FP32", (21, 3)),  # x, y, z in crop pixels
        TensorSpec("presence", "FP32", (1,)),  # probability the crop holds a hand
        TensorSpec("handedness", "FP32", (1,)),  # probability of the person's right hand
    ),
)
ROI_EXPAND = 2.6  # the hand crop's side over the palm box's longer side (MediaPipe)
ROI_SHIFT = -0.5  # the crop's centre moves half a palm height towards the fingers
PRESENT = 0.5  # presence at which a crop is taken to hold a hand


@feature("hands", models=(PALMS,))
async def hands(input_hand_palms: np.ndarray, frame: FrameInfo, infer: Infer) -> Detections:
    """Palms: boxes, 7 key points (wrist, knuckles, thumb base) in frame pixels, and scores."""
    out = await infer(PALMS, input_hand_palms[None])
    return from_letterbox(out, PALMS.input, frame.width, frame.height).clip(
        frame.width, frame.height
    )


def hand_regions(palms: Detections) -> Regions:
    """The upright hand region of each palm (MediaPipe's PalmDetectionDetectionToRoi), in pixels."""
    assert palms.keypoints is not None
    wrist, middle = palms.keypoints[:, 0], palms.keypoints[:, 2]
    turn = np.pi / 2 - np.arctan2(-(middle[:, 1] - wrist[:, 1]), middle[:, 0] - wrist[:, 0])
    angle = turn - 2 * np.pi * np.floor((turn + np.pi) / (2 * np.pi))  # into [-pi, pi)
    size = palms.xyxy[:, 2:] - palms.xyxy[:, :2]
    centre = (palms.xyxy[:, :2] + palms.xyxy[:, 2:]) / 2
    shift = size[:, 1] * ROI_SHIFT  # along the hand's own "down" axis, rotated
    centre = centre + np.stack([-shift * np.sin(angle), shift * np.cos(angle)], axis=1)
    side = np.maximum(size.max(axis=1) * ROI_EXPAND, 1.0)
    return Regions(centre.astype(np.float32), side.astype(np.float32), angle.astype(np.float32))


@dataclass(frozen=True)
class HandLandmarks:
    JSON: ClassVar[str] = (
        "{count, hands: [{present, presence, handedness: left|right, handedness_score, "
        "points: 21 x [x, y, z] px}]}"
    )

    points: np.ndarray  # (N, 21, 3) x, y frame pixels, z (depth from the wrist) at that scale
    presence: np.ndarray  # (N,) probability the crop holds a hand
    right: np.ndarray  # (N,) probability it is the person's right hand

    def to_json(self) -> dict[str, Any]:
        return {
            "count": len(self.presence),
            "hands": [
                {
                    "present": bool(p >= PRESENT),
                    "presence": round(float(p), 3),
                    "handedness": "right" if r >= 0.5 else "left",
                    "handedness_score": round(float(max(r, 1 - r)), 3),
                    "points": np.round(pts, 1).tolist(),
                }
                for pts, p, r in zip(self.points, self.presence, self.right, strict=True)
            ],
        }


@feature("hands.landmarks", models=(HAND_LANDMARKS,))
async def hands_landmarks(hands: Detections, image: np.ndarray, infer: Infer) -> HandLandmarks:
    """21 landmarks (x, y, z) per hand in frame pixels, with presence and handedness."""
    if not len(hands):
        return HandLandmarks(np.zeros((0, 21, 3), np.float32), np.zeros(0), np.zeros(0))
    crops = HAND_LANDMARKS.input.make_regions(image, hand_regions(hands))
    out = await infer(HAND_LANDMARKS, crops.pixels)
    return HandLandmarks(
        crops.to_frame(out["landmarks"]), out["presence"][:, 0], out["handedness"][:, 0]
    )


@dataclass(frozen=True)
class Gestures:
    JSON: ClassVar[str] = (
        "{count, hands: [{gesture: open_palm|fist|pointing|thumbs_up|victory|none, score, "
        "handedness}]}"
    )

    hands: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {"count": len(self.hands), "hands": self.hands}


@feature("hands.gesture")
def hands_gesture(hands_landmarks: HandLandmarks) -> Gestures:
    """The gesture of each hand present: open palm, fist, pointing, thumbs up, victory."""
    present = hands_landmarks.presence >= PRESENT
    points = hands_landmarks.points[present]
    right = hands_landmarks.right[present]
    return Gestures(
        [
            {
                "gesture": gesture,
                "score": round(score, 3),
                "handedness": "right" if r >= 0.5 else "left",
            }
            for (gesture, score), r in zip(classify_many(points), right, strict=True)
        ]
    )
