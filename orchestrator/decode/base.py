"""The decoder interface: encoded image bytes in, frames (and the plan's model inputs) out.

Decoders work on batches because the GPU path (DALI + nvJPEG) is only worth it batched;
the OpenCV path simply loops. A decoder never raises for one bad frame: each payload
gets its own outcome, a `Decoded` or a `DecodeError`, in the order given.

Reduced decode: the caller may allow a frame to be decoded at 1/2, 1/4 or 1/8 of its size
(`reductions`, chosen from the plan's `Pixels` needs, `orchestrator.models.pixels`). It is a
permission, not an order: a decoder may return a larger picture (DALI and PNGs always return
the full frame) and says in `Decoded.reduction` what it did. Model inputs in `Decoded.inputs`
are always made as from the full frame.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from orchestrator.models import FrameInput

INSTALL_HINT = "pip install 'framegraph[gpu]'"


class DecoderUnavailable(Exception):
    """The decoder asked for cannot run here; the message says what to install or change."""


class DecodeError(Exception):
    """Why one input line is not a frame. `code` is stable and machine-readable."""

    CODES = ("empty", "not_base64", "not_an_image", "truncated", "too_large", "corrupt")

    def __init__(self, code: str, message: str) -> None:
        if code not in self.CODES:
            raise ValueError(f"unknown decode error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Decoded:
    """A decoded frame: BGR pixels (OpenCV convention) and model inputs made alongside."""

    image: np.ndarray  # (H, W, 3) uint8, BGR; at 1/reduction of the frame's size
    inputs: dict[str, np.ndarray] = field(default_factory=dict)  # input node -> (S, S, 3)
    reduction: int = 1  # 2, 4, 8: `image` is the frame decoded at 1/reduction of its sides


def frame_size(decoded: Decoded, width: int, height: int) -> tuple[int, int]:
    """The frame's (width, height) in frame pixels: the picture's own size when it was decoded
    whole, else the header's (`width`, `height`), swapped if the decoder turned the picture
    by its EXIF orientation (OpenCV does; the header's size is the stored one)."""
    h, w = decoded.image.shape[:2]
    if decoded.reduction == 1:
        return w, h
    turned = (h > w and width > height) or (w > h and height > width)
    return (height, width) if turned else (width, height)


class Decoder(Protocol):
    """Decodes a batch of encoded images; makes the requested model inputs when it can.

    `inputs` maps plan nodes to the specs of the model inputs to make (`Plan.inputs`). A
    decoder may leave one out of `Decoded.inputs`: the worker then makes it from
    `Decoded.image` with `FrameInput.make`. `reductions`, one per payload, are the factors
    each frame may be decoded smaller by (none: full size).
    """

    name: str
    max_batch: int

    def decode(
        self,
        payloads: Sequence[bytes],
        inputs: Mapping[str, FrameInput],
        reductions: Sequence[int] | None = None,
    ) -> list[Decoded | DecodeError]: ...

    def close(self) -> None: ...
