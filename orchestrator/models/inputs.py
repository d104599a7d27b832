"""How a net wants its picture: the whole frame (`FrameInput`) or regions of it (`CropInput`).

A spec is data, so any decoder can honour it: the OpenCV path makes the tensor on the CPU
(`make`), the DALI path builds the same operations into its GPU pipeline. Values are
RGB (or grey), NHWC, `value = pixel * scale + offset`; padding is black before scaling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from orchestrator.models.pixels import Pixels
from orchestrator.vision.crops import Crops, Regions, crop_regions

Dtype = Literal["uint8", "float32"]


def normalise(pixels: np.ndarray, dtype: Dtype, scale: float, offset: float) -> np.ndarray:
    """uint8 pixels to the net's values (uint8 inputs take the pixels as they are)."""
    if dtype == "uint8":
        return pixels
    out = pixels.astype(np.float32)
    if scale != 1.0:
        np.multiply(out, np.float32(scale), out=out)
    if offset:
        np.add(out, np.float32(offset), out=out)
    return out


@dataclass(frozen=True)
class Letterbox:
    """Where the frame sits inside a square letterboxed input, in input pixels."""

    scale: float  # input pixels per frame pixel
    pad_x: float
    pad_y: float

    def to_frame(self, xy: np.ndarray, size: int) -> np.ndarray:
        """Map normalised [0,1] input coordinates (..., 2) back to frame pixels."""
        out = np.empty_like(xy, dtype=np.float32)
        out[..., 0] = (xy[..., 0] * size - self.pad_x) / self.scale
        out[..., 1] = (xy[..., 1] * size - self.pad_y) / self.scale
        return out


@dataclass(frozen=True)
class FrameInput:
    """A net's input made from the whole frame: square, stretched or letterboxed, RGB."""

    size: int  # square side in pixels
    fit: Literal["stretch", "letterbox"]
    dtype: Dtype
    scale: float = 1.0
    offset: float = 0.0
    channels: int = 3

    def letterbox(self, height: int, width: int) -> Letterbox:
        """Geometry of the letterbox for a frame of this size (centred, padded with black)."""
        s = self.size / max(height, width)
        return Letterbox(
            scale=s, pad_x=(self.size - width * s) / 2, pad_y=(self.size - height * s) / 2
        )

    @property
    def pixels(self) -> Pixels:
        """The smallest picture of the frame this input can be made from without enlarging:
        stretched, both sides at least the input's; letterboxed, the longer side at least it."""
        return Pixels(self.size, self.size, "cover" if self.fit == "stretch" else "contain")

    def make(self, image_bgr: np.ndarray, frame_size: tuple[int, int] | None = None) -> np.ndarray:
        """The input tensor (size, size, 3) from a BGR frame, on the CPU with OpenCV.

        `frame_size` (width, height) is the frame's own size when `image_bgr` is a reduced
        decode of it: the letterbox geometry is computed from it, so the input (and the
        mapping of the net's outputs back to frame pixels) is the same as from a full decode.
        """
        h, w = image_bgr.shape[:2]
        if self.fit == "stretch":
            resized = cv2.resize(image_bgr, (self.size, self.size), interpolation=cv2.INTER_LINEAR)
        else:
            fw, fh = frame_size or (w, h)
            box = self.letterbox(fh, fw)
            nw, nh = round(fw * box.scale), round(fh * box.scale)
            inner = cv2.resize(image_bgr, (nw, nh), interpolation=cv2.INTER_LINEAR)
            left, top = (self.size - nw) // 2, (self.size - nh) // 2
            resized = cv2.copyMakeBorder(
                inner,
                top,
                self.size - nh - top,
                left,
                self.size - nw - left,
                cv2.BORDER_CONSTANT,
                value=(0, 0, 0),
            )
        rgb = cv2.cvtColor(resized, cv2.COLOR_BGR2RGB)
        return normalise(rgb, self.dtype, self.scale, self.offset)


@dataclass(frozen=True)
class CropInput:
    """A net's input made from regions of the frame (faces, people, hands), all in one batch.

    `expand` sizes the square crop around a box (side = expand x the box's longer side);
    regions computed otherwise (rotated hand crops) go straight to `make_regions`.
    """

    size: int
    dtype: Dtype
    scale: float = 1.0
    offset: float = 0.0
    channels: int = 3  # 1: grey
    expand: float = 1.0
    border: Literal["constant", "replicate"] = "constant"

    def make(self, image_bgr: np.ndarray, xyxy: np.ndarray) -> Crops:
        """Square crops centred on boxes (x1, y1, x2, y2 frame pixels), normalised for the net."""
        return self.make_regions(image_bgr, Regions.around(xyxy, self.expand))

    def make_regions(self, image_bgr: np.ndarray, regions: Regions) -> Crops:
        gray, replicate = self.channels == 1, self.border == "replicate"
        crops = crop_regions(image_bgr, regions, self.size, gray=gray, replicate=replicate)
        return crops.with_pixels(normalise(crops.pixels, self.dtype, self.scale, self.offset))
