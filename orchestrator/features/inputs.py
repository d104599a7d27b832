"""Model inputs made from the whole frame, as internal nodes: made once, only when planned.

A decoder that already made an input in its own pipeline (DALI) hands it over with the
frame, and the node is then skipped.
"""

from __future__ import annotations

import numpy as np

from orchestrator.decode.inputs import FRAME_INPUTS, InputSpec
from orchestrator.features.catalog import CATALOG


def _declare(spec: InputSpec) -> None:
    def make(image: np.ndarray) -> np.ndarray:
        return spec.make(image)

    make.__doc__ = f"The {spec.size}x{spec.size} {spec.fit} input of a net."
    CATALOG.feature(spec.name, public=False, input_spec=spec)(make)


for _spec in FRAME_INPUTS:
    _declare(_spec)
