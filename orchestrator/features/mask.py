"""Person segmentation (MediaPipe selfie segmentation), sent as a small PNG, not 65k floats."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any, ClassVar

import cv2
import numpy as np

from orchestrator.engine.frame import FrameInfo
from orchestrator.features.catalog import feature
from orchestrator.models import FrameInput, Infer, Model, TensorSpec

MASK_SIDE = 96  # longer side of the mask sent to clients; aspect follows the frame


@dataclass(frozen=True)
class Mask:
    JSON: ClassVar[str] = "{coverage: 0..1, width, height, png: base64 PNG, 255 = person}"

    mask: np.ndarray  # (h, w) uint8, 255 = person, at the frame's aspect ratio
    coverage: float  # share of the frame that is person

    def to_json(self) -> dict[str, Any]:
        png = cv2.imencode(".png", self.mask)[1].tobytes()
        return {
            "coverage": round(self.coverage, 4),
            "width": int(self.mask.shape[1]),
            "height": int(self.mask.shape[0]),
            "png": base64.b64encode(png).decode(),
        }


# MediaPipe selfie segmentation on the stretched RGB frame in [0, 1]; 255 = person.
PERSON_MASK = Model(
    "person_mask",
    FrameInput(256, "stretch", "float32", scale=1 / 255.0),
    (TensorSpec("mask", "UINT8", (256, 256)),),
)


@feature("persons.mask", models=(PERSON_MASK,))
async def persons_mask(input_person_mask: np.ndarray, frame: FrameInfo, infer: Infer) -> Mask:
    """Where people are: a binary mask (PNG, base64) and the share of the frame they cover."""
    out = await infer(PERSON_MASK, input_person_mask[None])
    prob = out["mask"][0]
    scale = MASK_SIDE / max(frame.width, frame.height)
    size = (max(1, round(frame.width * scale)), max(1, round(frame.height * scale)))
    small = cv2.resize(prob, size, interpolation=cv2.INTER_AREA)
    binary = np.where(small >= 128, 255, 0).astype(np.uint8)
    return Mask(binary, float(np.count_nonzero(prob >= 128)) / prob.size)
