"""The decoder interface: encoded image bytes in, frames (and the plan's model inputs) out.

Decoders work on batches because the GPU path (DALI + nvJPEG) is only worth it batched;
the OpenCV path simply loops. A decoder never raises for one bad frame: each payload
gets its own outcome, a `Decoded` or a `DecodeError`, in the order given.
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

    image: np.ndarray  # (H, W, 3) uint8, BGR
    inputs: dict[str, np.ndarray] = field(default_factory=dict)  # input node -> (S, S, 3)


class Decoder(Protocol):
    """Decodes a batch of encoded images; makes the requested model inputs when it can.

    `inputs` maps plan nodes to the specs of the model inputs to make (`Plan.inputs`). A
    decoder may leave one out of `Decoded.inputs`: the worker then makes it from
    `Decoded.image` with `FrameInput.make`.
    """

    name: str
    max_batch: int

    def decode(
        self, payloads: Sequence[bytes], inputs: Mapping[str, FrameInput]
    ) -> list[Decoded | DecodeError]: ...

    def close(self) -> None: ...
