"""Model input specifications: how each net wants its picture of the frame.

A spec is data, so that any decoder can honour it: the OpenCV path makes the tensor on
the CPU from the decoded frame (`make`), the DALI path builds the same operations into
its GPU pipeline. Either way a plan's input is made once per frame, only if a planned
net needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np


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
class InputSpec:
    """A net's input made from the whole frame: RGB, NHWC, `value = pixel * scale + offset`."""

    name: str
    size: int  # square side in pixels
    fit: Literal["stretch", "letterbox"]
    dtype: Literal["uint8", "float32"]
    scale: float = 1.0
    offset: float = 0.0

    def letterbox(self, height: int, width: int) -> Letterbox:
        """Geometry of the letterbox for a frame of this size (centred, padded with black)."""
        s = self.size / max(height, width)
        return Letterbox(
            scale=s, pad_x=(self.size - width * s) / 2, pad_y=(self.size - height * s) / 2
        )

    def make(self, image_bgr: np.ndarray) -> np.ndarray:
        """The input tensor (size, size, 3) from a BGR frame, on the CPU with OpenCV."""
        h, w = image_bgr.shape[:2]
        if self.fit == "stretch":
            resized = cv2.resize(image_bgr, (self.size, self.size), interpolation=cv2.INTER_LINEAR)
        else:
            box = self.letterbox(h, w)
            nw, nh = round(w * box.scale), round(h * box.scale)
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
        if self.dtype == "uint8":
            return rgb
        out = rgb.astype(np.float32)
        if self.scale != 1.0:
            np.multiply(out, np.float32(self.scale), out=out)
        if self.offset:
            np.add(out, np.float32(self.offset), out=out)
        return out


# The nets that look at the whole frame (the others look at crops made from detections).
SSDLITE = InputSpec("input.ssdlite", 300, "stretch", "uint8")
BLAZEFACE = InputSpec("input.blazeface", 128, "letterbox", "float32", scale=1 / 127.5, offset=-1.0)
SELFIE = InputSpec("input.selfie", 256, "stretch", "float32", scale=1 / 255.0)

FRAME_INPUTS: tuple[InputSpec, ...] = (SSDLITE, BLAZEFACE, SELFIE)
