"""Body pose: 33 BlazePose keypoints per detected person, from person crops in one request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from orchestrator.features.catalog import feature
from orchestrator.models import CropInput, Infer, Model, TensorSpec
from orchestrator.vision.detections import Detections

POSE_COLUMNS = ("x", "y", "z", "visibility", "presence")
# BlazePose GHUM full on square person crops 1.25x the box, RGB in [0, 1].
PERSON_POSE = Model(
    "person_pose",
    CropInput(256, "float32", scale=1 / 255.0, expand=1.25),
    (
        TensorSpec("keypoints", "FP32", (33, 5)),  # POSE_COLUMNS; x, y, z in crop pixels
        TensorSpec("presence", "FP32", (1,)),  # probability
    ),
)


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


@feature("persons.pose", models=(PERSON_POSE,))
async def persons_pose(persons: Detections, image: np.ndarray, infer: Infer) -> Poses:
    """33 body keypoints (x, y, visibility) per person, in frame pixels (BlazePose full)."""
    if not len(persons):
        return Poses(np.zeros((0, 33, 3), np.float32), np.zeros((0, 33), np.float32), np.zeros(0))
    crops = PERSON_POSE.input.make(image, persons.xyxy)
    out = await infer(PERSON_POSE, crops.pixels)
    points = out["keypoints"]
    return Poses(crops.to_frame(points[..., :3]), points[..., 3], out["presence"][:, 0])
