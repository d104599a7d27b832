"""Image-level views shared by the cheap CPU features, and image quality.

The internal nodes (`image.gray`, `image.small`, `image.thumb`) are computed once per
frame and only when a requested feature needs them; windowed features difference the
tiny `image.thumb`, never whole frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import cv2
import numpy as np

from orchestrator.engine.frame import FrameInfo
from orchestrator.features.catalog import feature
from orchestrator.models import Pixels

SMALL_WIDTH = 160


@feature("image.gray", public=False)
def image_gray(image: np.ndarray) -> np.ndarray:
    """Full-resolution grayscale (sharpness depends on resolution: never from a reduced decode)."""
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def small_size(width: int, height: int) -> tuple[int, int]:
    """The thumbnail's size for a frame: shrunk by a whole factor to about 160 wide."""
    factor = max(1, width // SMALL_WIDTH)
    return max(1, width // factor), max(1, height // factor)


@feature("image.small", public=False, pixels=Pixels(SMALL_WIDTH, 0, "cover"))
def image_small(image: np.ndarray, frame: FrameInfo) -> np.ndarray:
    """A colour thumbnail about 160 pixels wide, area-averaged, for histograms and motion.

    The frame is shrunk by a whole factor (768 -> 192, 1280 -> 160): OpenCV's area
    averaging is three times faster then than at an arbitrary scale. The size comes from the
    frame's own size, so a reduced decode (at least 160 wide, hence at least this size) gives
    the same thumbnail size; at 768x576 decoded at 1/4 the picture already is the thumbnail.
    """
    size = small_size(frame.width, frame.height)
    if (image.shape[1], image.shape[0]) == size:
        return image
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


@feature("image.thumb", public=False)
def image_thumb(image_small: np.ndarray) -> np.ndarray:
    """A blurred grayscale thumbnail: sensor noise and JPEG blocks smoothed away."""
    gray = cv2.cvtColor(image_small, cv2.COLOR_BGR2GRAY)
    return cv2.GaussianBlur(gray, (5, 5), 0)


@dataclass(frozen=True)
class Quality:
    JSON: ClassVar[str] = "{brightness: 0..1, contrast: 0..0.5, sharpness: Laplacian variance}"

    brightness: float  # mean luma, 0..1
    contrast: float  # RMS contrast: standard deviation of luma, 0..0.5
    sharpness: float  # variance of the Laplacian (higher is sharper; depends on resolution)

    def to_json(self) -> dict[str, float]:
        return {
            "brightness": round(self.brightness, 4),
            "contrast": round(self.contrast, 4),
            "sharpness": round(self.sharpness, 1),
        }


@feature("image.quality")
def image_quality(image_gray: np.ndarray) -> Quality:
    """Brightness, contrast and sharpness of the frame."""
    mean, std = cv2.meanStdDev(image_gray)
    _, lap_std = cv2.meanStdDev(cv2.Laplacian(image_gray, cv2.CV_16S, ksize=3))
    return Quality(float(mean[0, 0]) / 255, float(std[0, 0]) / 255, float(lap_std[0, 0]) ** 2)
