"""The CPU decoder: OpenCV's libjpeg-turbo/libpng, the fastest decode on a CPU (FACTS.md).

It only decodes; the worker makes model inputs from the frame (`FrameInput.make`) as plan
nodes, so a net's input is made only when the plan needs that net.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import cv2
import numpy as np

from orchestrator.decode.base import Decoded, DecodeError
from orchestrator.models import FrameInput


class OpenCVDecoder:
    """Decodes frame by frame: there is nothing to gain from batching on a CPU."""

    name = "opencv"
    max_batch = 8

    def decode(
        self, payloads: Sequence[bytes], inputs: Mapping[str, FrameInput] | None = None
    ) -> list[Decoded | DecodeError]:
        return [self.decode_one(data) for data in payloads]

    @staticmethod
    def decode_one(data: bytes) -> Decoded | DecodeError:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            return DecodeError("corrupt", "image data could not be decoded")
        return Decoded(image=image)

    def close(self) -> None:
        pass
