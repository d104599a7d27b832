"""The decode reduction each consumer mix allows, frame size by frame size."""

from __future__ import annotations

import pytest

from orchestrator.models import FrameInput, Pixels, reduction

STRETCH_300 = FrameInput(300, "stretch", "uint8").pixels  # SSDLite (persons)
LETTERBOX_192 = FrameInput(192, "letterbox", "float32").pixels  # full-range faces, palms
SMALL = Pixels(160, 0, "cover")  # image.small
PREVIEW = Pixels(960, 720, "contain")  # image.preview


def test_input_specs_declare_what_they_resize_to() -> None:
    assert Pixels(300, 300, "cover") == STRETCH_300
    assert Pixels(192, 192, "contain") == LETTERBOX_192


@pytest.mark.parametrize(
    ("needs", "size", "factor"),
    [
        ((), (1920, 1080), 1),  # nobody said anything
        ((Pixels.FULL,), (3840, 2160), 1),
        ((SMALL, Pixels.FULL), (3840, 2160), 1),  # one full-resolution consumer decides
        ((SMALL,), (768, 576), 4),  # scene.cut/motion on vtest: 192 >= 160, 96 < 160
        ((SMALL,), (1920, 1080), 8),
        ((SMALL,), (320, 240), 2),
        ((SMALL,), (200, 150), 1),
        ((STRETCH_300,), (768, 576), 1),  # 288 rows < 300: vtest's persons need it whole
        ((STRETCH_300,), (1920, 1080), 2),  # 960x540; 480x270 would stretch rows
        ((STRETCH_300,), (1536, 1152), 2),
        ((STRETCH_300,), (3840, 2160), 4),
        ((LETTERBOX_192,), (768, 576), 4),  # the longer side 192 >= 192
        ((LETTERBOX_192,), (720, 528), 2),  # 180 < 192
        ((LETTERBOX_192, STRETCH_300), (3840, 2160), 4),  # the most demanding one decides
        ((PREVIEW,), (768, 576), 1),  # fits the bounds: kept whole
        ((PREVIEW,), (1920, 1080), 2),  # 960x540 exactly
        ((PREVIEW,), (1536, 1152), 1),  # 960x720 needed, 768x576 is too small
        ((PREVIEW, SMALL), (3840, 2160), 4),
    ],
)
def test_the_largest_factor_every_need_allows(needs, size, factor) -> None:
    assert reduction(needs, *size) == factor


def test_odd_sides_are_rounded_up_as_libjpeg_does() -> None:
    # 601 / 2 -> 301 rows decoded: enough for 300; 599 / 2 -> 300 rows, also enough.
    assert reduction([STRETCH_300], 1201, 601) == 2
    assert reduction([STRETCH_300], 1199, 599) == 2
    assert reduction([STRETCH_300], 1199, 598) == 1


def test_a_reduced_picture_is_never_smaller_than_asked() -> None:
    for need in (SMALL, STRETCH_300, LETTERBOX_192, PREVIEW, Pixels(100, 400, "contain")):
        assert need.minimum(1920, 1080) <= (1920, 1080)
        for w in range(64, 4000, 97):
            for h in (w * 3 // 4, w * 9 // 16, w * 4 // 3):
                f = reduction([need], w, h)
                need_w, need_h = need.minimum(w, h)
                assert -(-w // f) >= need_w - 1e-6 and -(-h // f) >= need_h - 1e-6
                if f < 8:  # and the next factor would have been too small
                    assert not need.allows(2 * f, w, h)
