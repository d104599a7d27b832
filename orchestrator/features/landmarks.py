"""Face mesh: 468 landmarks per face, from face crops sent as one request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from orchestrator.features.catalog import feature
from orchestrator.vision.crops import square_crops
from orchestrator.vision.detections import Detections

CROP_SCALE = 1.5  # the crop is 1.5x the face box (models/README.md)


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


@feature("faces.landmarks", models=("face_landmarks",))
async def faces_landmarks(faces: Detections, image: np.ndarray, triton: Any) -> Landmarks:
    """468 face-mesh landmarks (x, y, z) per face, in frame pixels."""
    if not len(faces):
        return Landmarks(np.zeros((0, 468, 3), np.float32), np.zeros(0, np.float32))
    crops = square_crops(image, faces.xyxy, CROP_SCALE, 192)
    out = await triton.infer("face_landmarks", crops.pixels.astype(np.float32) / 255.0)
    return Landmarks(crops.to_frame(out["landmarks"]), out["presence"][:, 0])
