"""Motion between consecutive frames, from the blurred thumbnails."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import cv2
import numpy as np

from orchestrator.features.catalog import feature
from orchestrator.graph import Window

MOVING = 25  # a thumbnail pixel "moves" when its luma changes by more than this


@dataclass(frozen=True)
class Motion:
    JSON: ClassVar[str] = "{fraction: 0..1, energy: 0..1}"

    fraction: float  # share of pixels that moved, 0..1
    energy: float  # mean absolute luma change, 0..1

    def to_json(self) -> dict[str, float]:
        return {"fraction": round(self.fraction, 4), "energy": round(self.energy, 4)}


@feature("motion", window=Window.last(2))
def motion(image_thumb: tuple[np.ndarray, ...]) -> Motion:
    """Moving-pixel fraction and motion energy against the previous frame."""
    if len(image_thumb) < 2 or image_thumb[0].shape != image_thumb[1].shape:
        return Motion(0.0, 0.0)
    diff = cv2.absdiff(image_thumb[0], image_thumb[1])
    moving = cv2.countNonZero(cv2.threshold(diff, MOVING, 255, cv2.THRESH_BINARY)[1])
    return Motion(moving / diff.size, float(cv2.mean(diff)[0]) / 255)
