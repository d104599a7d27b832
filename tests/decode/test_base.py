"""The frame's own size from a decode that may be reduced."""

from __future__ import annotations

import numpy as np

from orchestrator.decode.base import Decoded, frame_size


def picture(h: int, w: int, reduction: int = 1) -> Decoded:
    return Decoded(image=np.zeros((h, w, 3), np.uint8), reduction=reduction)


def test_a_whole_picture_is_its_own_size_and_a_reduced_one_takes_the_header() -> None:
    assert frame_size(picture(576, 768), 768, 576) == (768, 576)
    assert frame_size(picture(577, 769, 2), 1537, 1153) == (1537, 1153)


def test_a_picture_turned_by_its_exif_orientation_turns_the_header_size() -> None:
    assert frame_size(picture(769, 577, 2), 1537, 1153) == (1153, 1537)
    assert frame_size(picture(125, 125, 8), 1000, 1001) == (1000, 1001)  # square: as stored
