"""The CPU decoder: OpenCV's libjpeg-turbo/libpng, the fastest decode on a CPU (FACTS.md).

It only decodes; the worker makes model inputs from the frame (`FrameInput.make`) as plan
nodes, so a net's input is made only when the plan needs that net.

A JPEG allowed a reduction is decoded with `cv2.IMREAD_REDUCED_COLOR_2/4/8`: libjpeg scales
in the DCT domain, skipping most of the inverse transform and the colour conversion of the
pixels it does not produce (the picture's sides are the frame's divided by the factor,
rounded up). Other formats are decoded whole: OpenCV would only decode them fully and then
resize, which saves nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import cv2
import numpy as np

from orchestrator.decode.base import Decoded, DecodeError
from orchestrator.models import FrameInput

_FLAGS = {
    1: cv2.IMREAD_COLOR,
    2: cv2.IMREAD_REDUCED_COLOR_2,
    4: cv2.IMREAD_REDUCED_COLOR_4,
    8: cv2.IMREAD_REDUCED_COLOR_8,
}
_JPEG = b"\xff\xd8\xff"


class OpenCVDecoder:
    """Decodes frame by frame: there is nothing to gain from batching on a CPU."""

    name = "opencv"
    max_batch = 8

    def decode(
        self,
        payloads: Sequence[bytes],
        inputs: Mapping[str, FrameInput] | None = None,
        reductions: Sequence[int] | None = None,
    ) -> list[Decoded | DecodeError]:
        factors = reductions or [1] * len(payloads)
        return [self.decode_one(data, f) for data, f in zip(payloads, factors, strict=True)]

    @staticmethod
    def decode_one(data: bytes, reduction: int = 1) -> Decoded | DecodeError:
        """One frame, at 1/`reduction` of its size if it is a JPEG (1, 2, 4 or 8)."""
        if reduction not in _FLAGS:
            raise ValueError(f"reduction must be one of {sorted(_FLAGS)}, not {reduction}")
        if not data.startswith(_JPEG):
            reduction = 1
        image = cv2.imdecode(np.frombuffer(data, np.uint8), _FLAGS[reduction])
        if image is None:
            return DecodeError("corrupt", "image data could not be decoded")
        return Decoded(image=image, reduction=reduction)

    def close(self) -> None:
        pass
