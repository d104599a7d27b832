"""Scene cuts: a jump in the colour distribution between consecutive frames."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import cv2
import numpy as np

from orchestrator.features.catalog import feature
from orchestrator.graph import Window

CUT = 0.5  # Bhattacharyya distance above which two frames belong to different shots


@feature("image.histogram", public=False)
def image_histogram(image_small: np.ndarray) -> np.ndarray:
    """A normalised hue-saturation histogram (16x8 bins): robust to small motion."""
    hsv = cv2.cvtColor(image_small, cv2.COLOR_BGR2HSV)
    hist = cv2.calcHist([hsv], [0, 1], None, [16, 8], [0, 180, 0, 256])
    return cv2.normalize(hist, hist, 1.0, 0.0, cv2.NORM_L1)


@dataclass(frozen=True)
class SceneCut:
    JSON: ClassVar[str] = "{cut: bool, score: 0..1}"

    cut: bool
    score: float  # Bhattacharyya distance to the previous frame, 0 (same) .. 1

    def to_json(self) -> dict[str, object]:
        return {"cut": self.cut, "score": round(self.score, 4)}


@feature("scene.cut", window=Window.last(2))
def scene_cut(image_histogram: tuple[np.ndarray, ...]) -> SceneCut:
    """Whether this frame starts a new shot."""
    if len(image_histogram) < 2:
        return SceneCut(False, 0.0)
    score = float(
        cv2.compareHist(image_histogram[0], image_histogram[1], cv2.HISTCMP_BHATTACHARYYA)
    )
    return SceneCut(score > CUT, score)
