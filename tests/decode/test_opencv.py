import cv2
import numpy as np
import pytest

from orchestrator.decode.base import Decoded, DecodeError
from orchestrator.decode.opencv import OpenCVDecoder


def test_decodes_frames_and_reports_corrupt_ones_alone(vtest_jpegs) -> None:
    corrupt = b"\xff\xd8\xff\xe0" + b"\x00" * 500 + b"\xff\xd9"
    out = OpenCVDecoder().decode([vtest_jpegs[0], corrupt, vtest_jpegs[1]])
    assert isinstance(out[0], Decoded) and out[0].image.shape == (576, 768, 3)
    assert isinstance(out[1], DecodeError) and out[1].code == "corrupt"
    assert isinstance(out[2], Decoded)


def upscaled(jpeg: bytes, size: tuple[int, int]) -> bytes:
    """A larger JPEG of the same picture (quality 90), as a 1080p-class camera would send."""
    frame = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    big = cv2.resize(frame, size, interpolation=cv2.INTER_CUBIC)
    return cv2.imencode(".jpg", big, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()


@pytest.mark.parametrize("factor", [1, 2, 4, 8])
def test_a_jpeg_is_decoded_at_the_allowed_reduction_close_to_full_decode_and_resize(
    vtest_jpegs, factor
) -> None:
    data = upscaled(vtest_jpegs[0], (1536, 1152))
    decoder = OpenCVDecoder()
    (full,) = decoder.decode([data])
    (small,) = decoder.decode([data], {}, [factor])
    assert isinstance(full, Decoded) and isinstance(small, Decoded)
    assert small.reduction == factor and small.image.shape == (1152 // factor, 1536 // factor, 3)
    size = (1536 // factor, 1152 // factor)
    want = cv2.resize(full.image, size, interpolation=cv2.INTER_AREA)
    assert float(cv2.absdiff(small.image, want).mean()) < 0.5  # grey levels; measured 0.26
    assert full.reduction == 1


@pytest.mark.parametrize("factor", [2, 4, 8])
def test_odd_sides_are_rounded_up(vtest_jpegs, factor) -> None:
    """The last column and row cover the frame's edge and libjpeg's padding beyond it: the
    picture is 1/factor of the frame plus less than one pixel (documented in models.pixels)."""
    (small,) = OpenCVDecoder().decode([upscaled(vtest_jpegs[0], (1537, 1153))], {}, [factor])
    assert isinstance(small, Decoded)
    assert small.image.shape == (-(-1153 // factor), -(-1537 // factor), 3)


def test_frames_of_a_batch_get_their_own_factor_and_pngs_stay_whole(vtest_jpegs) -> None:
    png = cv2.imencode(".png", cv2.imdecode(np.frombuffer(vtest_jpegs[1], np.uint8), 1))[1]
    decoder = OpenCVDecoder()
    out = decoder.decode([vtest_jpegs[0], png.tobytes(), vtest_jpegs[2]], {}, [4, 4, 2])
    assert [o.reduction for o in out if isinstance(o, Decoded)] == [4, 1, 2]
    assert [o.image.shape[:2] for o in out if isinstance(o, Decoded)] == [
        (144, 192),
        (576, 768),
        (288, 384),
    ]
    with pytest.raises(ValueError, match="reduction"):
        decoder.decode([vtest_jpegs[0]], {}, [3])
