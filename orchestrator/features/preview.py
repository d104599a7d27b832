"""Frames for people: `image.preview`, a small JPEG of the frame for viewers to draw on.

A preview is a feature like any other: planned only while someone subscribes to it and
computed once per frame however many viewers watch. Its bounds are fixed here so that
every viewer of a stream shares the one encoding:

- it fits within MAX_WIDTH x MAX_HEIGHT pixels (960x720), aspect kept, never enlarged;
- when re-encoded, it is a JPEG of quality QUALITY (70);
- an input JPEG that already fits and weighs at most PASS_BYTES_PER_PIXEL bytes per pixel
  (0.25, i.e. 2 bits per pixel, about what quality 80 gives on camera footage) is passed
  through byte for byte: no resize, no re-encoding, no generation loss.

Overlays are not burnt in: viewers draw them from the other features' JSON, whose
coordinates are frame pixels (`frame_width` x `frame_height`), not preview pixels.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any, ClassVar

import cv2
import numpy as np

from orchestrator.engine.frame import FrameInfo
from orchestrator.features.catalog import feature
from orchestrator.models import Pixels

MAX_WIDTH = 960
MAX_HEIGHT = 720
QUALITY = 70
PASS_BYTES_PER_PIXEL = 0.25


@dataclass(frozen=True)
class Preview:
    JSON: ClassVar[str] = (
        "{width, height, frame_width, frame_height, bytes, passthrough: bool, jpeg: base64 JPEG}"
    )

    jpeg: bytes
    width: int
    height: int
    frame_width: int
    frame_height: int
    passthrough: bool  # the input JPEG itself, not re-encoded

    def to_json(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "height": self.height,
            "frame_width": self.frame_width,
            "frame_height": self.frame_height,
            "bytes": len(self.jpeg),
            "passthrough": self.passthrough,
            "jpeg": base64.b64encode(self.jpeg).decode(),
        }


def preview_size(width: int, height: int, max_width: int, max_height: int) -> tuple[int, int]:
    """The largest size within the bounds with the frame's aspect; the frame's if it fits."""
    scale = min(1.0, max_width / width, max_height / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def make_preview(
    image: np.ndarray,
    frame: FrameInfo,
    max_width: int = MAX_WIDTH,
    max_height: int = MAX_HEIGHT,
    quality: int = QUALITY,
    pass_bytes_per_pixel: float = PASS_BYTES_PER_PIXEL,
) -> Preview:
    """The input JPEG if it is small enough, else the frame resized and encoded."""
    w, h = frame.width, frame.height
    size = preview_size(w, h, max_width, max_height)
    source = frame.source
    if (
        source is not None
        and frame.source_format == "JPEG"
        and size == (w, h)
        and len(source) <= pass_bytes_per_pixel * w * h
    ):
        return Preview(source, w, h, w, h, passthrough=True)
    # `image` may be a reduced decode (never smaller than `size`, see `image_preview`).
    same = (image.shape[1], image.shape[0]) == size
    small = image if same else cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding of the preview failed")
    return Preview(buf.tobytes(), size[0], size[1], w, h, passthrough=False)


@feature("image.preview", pixels=Pixels(MAX_WIDTH, MAX_HEIGHT, "contain"))
def image_preview(image: np.ndarray, frame: FrameInfo) -> Preview:
    """The frame as a JPEG for viewers, at most 960x720, quality 70; small input JPEGs as is."""
    return make_preview(image, frame)
