"""Face mesh: 468 landmarks per face, from face crops sent as one request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from orchestrator.features.catalog import feature
from orchestrator.models import CropInput, Infer, Model, TensorSpec
from orchestrator.vision.detections import Detections

# MediaPipe face mesh on square face crops 1.5x the box, RGB in [0, 1].
FACE_LANDMARKS = Model(
    "face_landmarks",
    CropInput(192, "float32", scale=1 / 255.0, expand=1.5),
    (
        TensorSpec("landmarks", "FP32", (468, 3)),  # x, y, z in crop pixels
        TensorSpec("presence", "FP32", (1,)),  # probability
    ),
)


@dataclass(frozen=True)
class Landmarks:
    JSON: ClassVar[str] = "{count, faces: [{presence, points: 468 x [x, y, z] px}]}"

    points: np.ndarray  # (N, 468, 3) x, y frame pixels, z in frame-pixel scale
    presence: np.ndarray  # (N,) probability the crop holds a face

    def to_json(self) -> dict[str, Any]:
        return {
            "count": len(self.presence),
            "faces": [
                {"presence": round(float(p), 3), "points": np.round(pts, 1).tolist()}
                for pts, p in zip(self.points, self.presence, strict=True)
            ],
        }


@feature("faces.landmarks", models=(FACE_LANDMARKS,))
async def faces_landmarks(faces: Detections, image: np.ndarray, infer: Infer) -> Landmarks:
    """468 face-mesh landmarks (x, y, z) per face, in frame pixels."""
    if not len(faces):
        return Landmarks(np.zeros((0, 468, 3), np.float32), np.zeros(0, np.float32))
    crops = FACE_LANDMARKS.input.make(image, faces.xyxy)
    out = await infer(FACE_LANDMARKS, crops.pixels)
    return Landmarks(crops.to_frame(out["landmarks"]), out["presence"][:, 0])
