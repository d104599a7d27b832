"""Crops of frame regions (square, optionally rotated), as one batch, with the way back.

Crop models (face mesh, expression, pose, hand landmarks) want a square window around a
detection, resized to their input size. All crops of a frame are made here in one call
and sent to Triton as one request; `Crops.to_frame` maps the outputs back to frame pixels.
Crop pixel (u, v) samples the frame at `centre + R(angle) @ ((u / size - 0.5) * side, ...)`:
the crop's corners sit on the region's corners (MediaPipe's convention).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np


@dataclass(frozen=True)
class Regions:
    """Square regions of a frame: centres (N, 2) px, sides (N,) px, angles (N,) radians."""

    centre: np.ndarray
    side: np.ndarray
    angle: np.ndarray

    @classmethod
    def around(cls, xyxy: np.ndarray, expand: float) -> Regions:
        """Upright squares of `expand` x each box's longer side, centred on the boxes."""
        xyxy = np.asarray(xyxy, np.float32).reshape(-1, 4)
        centre = (xyxy[:, :2] + xyxy[:, 2:]) / 2
        side = np.maximum(xyxy[:, 2] - xyxy[:, 0], xyxy[:, 3] - xyxy[:, 1]) * expand
        side = np.maximum(side, 1.0).astype(np.float32)
        return cls(centre, side, np.zeros(len(xyxy), np.float32))

    def __len__(self) -> int:
        return len(self.side)


@dataclass(frozen=True)
class Crops:
    pixels: np.ndarray  # (N, size, size, C): uint8 RGB or grey as cut, or the net's values
    regions: Regions
    size: int  # crop side in input pixels

    def with_pixels(self, pixels: np.ndarray) -> Crops:
        return replace(self, pixels=pixels)

    def to_frame(self, xy: np.ndarray) -> np.ndarray:
        """Crop-pixel coordinates (N, K, 2+) to frame pixels (x, y mapped, z scaled alike)."""
        out = np.array(xy, dtype=np.float32, copy=True)
        r = self.regions
        side = r.side[:, None]
        u = out[..., 0] / self.size - 0.5
        v = out[..., 1] / self.size - 0.5
        cos, sin = np.cos(r.angle)[:, None], np.sin(r.angle)[:, None]
        out[..., 0] = (cos * u - sin * v) * side + r.centre[:, None, 0]
        out[..., 1] = (sin * u + cos * v) * side + r.centre[:, None, 1]
        if out.shape[-1] > 2:  # depth is in crop pixels too: same scale
            out[..., 2] = out[..., 2] * side / self.size
        return out


def crop_regions(
    image_bgr: np.ndarray, regions: Regions, size: int, gray: bool = False, replicate: bool = False
) -> Crops:
    """Bilinear crops (N, size, size, 1 or 3) of `regions`; outside the frame black or edge."""
    n = len(regions)
    pixels = np.zeros((n, size, size, 1 if gray else 3), np.uint8)
    source = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY) if gray else image_bgr
    border = cv2.BORDER_REPLICATE if replicate else cv2.BORDER_CONSTANT
    for i in range(n):
        k = size / float(regions.side[i])
        cos, sin = float(np.cos(regions.angle[i])), float(np.sin(regions.angle[i]))
        cx, cy = float(regions.centre[i, 0]), float(regions.centre[i, 1])
        m = np.array(
            [
                [k * cos, k * sin, -k * (cos * cx + sin * cy) + size / 2],
                [-k * sin, k * cos, -k * (-sin * cx + cos * cy) + size / 2],
            ],
            np.float32,
        )
        warped = cv2.warpAffine(source, m, (size, size), flags=cv2.INTER_LINEAR, borderMode=border)
        if gray:
            pixels[i, ..., 0] = warped
        else:
            pixels[i] = cv2.cvtColor(warped, cv2.COLOR_BGR2RGB)
    return Crops(pixels, regions, size)


def square_crops(
    image_bgr: np.ndarray, xyxy: np.ndarray, scale: float, size: int, gray: bool = False
) -> Crops:
    """Upright crops `scale` x each box's longer side, centred on the boxes; black outside."""
    return crop_regions(image_bgr, Regions.around(xyxy, scale), size, gray)
