"""Body pose: 33 BlazePose keypoints per detected person, from person crops in one request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from orchestrator.features.catalog import feature
from orchestrator.vision.crops import square_crops
from orchestrator.vision.detections import Detections

CROP_SCALE = 1.25  # the crop is 1.25x the person box (models/README.md)


@dataclass(frozen=True)
class Poses:
    JSON: ClassVar[str] = "{count, people: [{presence, keypoints: 33 x [x, y, visibility]}]}"

    keypoints: np.ndarray  # (N, 33, 3) x, y in frame pixels, z in frame-pixel scale
    visibility: np.ndarray  # (N, 33) probability the point is visible
    presence: np.ndarray  # (N,) probability the crop holds a pose

    def to_json(self) -> dict[str, Any]:
        people = [
            {
                "presence": round(float(self.presence[i]), 3),
                "keypoints": [
                    [round(float(x), 1), round(float(y), 1), round(float(v), 2)]
                    for (x, y, _), v in zip(self.keypoints[i], self.visibility[i], strict=True)
                ],
            }
            for i in range(len(self.presence))
        ]
        return {"count": len(people), "people": people}


@feature("persons.pose", models=("person_pose",))
async def persons_pose(persons: Detections, image: np.ndarray, triton: Any) -> Poses:
    """33 body keypoints (x, y, visibility) per person, in frame pixels (BlazePose full)."""
    if not len(persons):
        return Poses(np.zeros((0, 33, 3), np.float32), np.zeros((0, 33), np.float32), np.zeros(0))
    crops = square_crops(image, persons.xyxy, CROP_SCALE, 256)
    out = await triton.infer("person_pose", crops.pixels.astype(np.float32) / 255.0)
    points = out["keypoints"]
    return Poses(crops.to_frame(points[..., :3]), points[..., 3], out["presence"][:, 0])
