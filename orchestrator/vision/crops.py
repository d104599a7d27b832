"""Square crops around boxes, as one batch, with the mapping back to frame pixels.

Crop models (face mesh, expression, pose) want a square window a little larger than
the detector's box, resized to their input size. All crops of a frame are made here in
one call and sent to Triton as one request; `Crops.to_frame` maps outputs back.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Crops:
    pixels: np.ndarray  # (N, size, size, C) uint8; RGB, or gray with C = 1
    origin: np.ndarray  # (N, 2) frame position of each crop's top-left corner
    side: np.ndarray  # (N,) crop side in frame pixels
    size: int  # crop side in input pixels

    def to_frame(self, xy: np.ndarray) -> np.ndarray:
        """Crop-pixel coordinates (N, K, 2+) to frame pixels (x, y only are mapped)."""
        out = np.array(xy, dtype=np.float32, copy=True)
        scale = (self.side / self.size)[:, None, None]
        out[..., :2] = out[..., :2] * scale + self.origin[:, None, :]
        if out.shape[-1] > 2:  # depth is in crop pixels too: same scale
            out[..., 2] = out[..., 2] * scale[..., 0]
        return out


def square_crops(
    image_bgr: np.ndarray, xyxy: np.ndarray, scale: float, size: int, gray: bool = False
) -> Crops:
    """Crops of side `scale` x the box's longer side, centred on each box; black outside."""
    n = len(xyxy)
    channels = 1 if gray else 3
    pixels = np.zeros((n, size, size, channels), np.uint8)
    centre = (xyxy[:, :2] + xyxy[:, 2:]) / 2
    side = np.maximum(xyxy[:, 2] - xyxy[:, 0], xyxy[:, 3] - xyxy[:, 1]) * scale
    side = np.maximum(side, 1.0).astype(np.float32)
    origin = (centre - side[:, None] / 2).astype(np.float32)
    source = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY) if gray else image_bgr
    for i in range(n):
        s = size / side[i]
        m = np.array([[s, 0, -origin[i, 0] * s], [0, s, -origin[i, 1] * s]], np.float32)
        warped = cv2.warpAffine(
            source, m, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT
        )
        if gray:
            pixels[i, ..., 0] = warped
        else:
            pixels[i] = cv2.cvtColor(warped, cv2.COLOR_BGR2RGB)
    return Crops(pixels, origin, side, size)
