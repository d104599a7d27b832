import cv2
import numpy as np
import pytest

from orchestrator.engine.frame import FrameInfo
from orchestrator.features.image import (
    image_gray,
    image_quality,
    image_small,
    image_thumb,
    small_size,
)


def test_quality_orders_brightness_contrast_and_sharpness(vtest_frames) -> None:
    frame = vtest_frames[0]
    q = image_quality(image_gray(frame))
    dark = image_quality(image_gray((frame * 0.3).astype(np.uint8)))
    blurred = image_quality(image_gray(cv2.GaussianBlur(frame, (9, 9), 3)))
    flat = image_quality(image_gray(np.full_like(frame, 90)))
    assert 0 < dark.brightness < q.brightness < 1
    assert flat.contrast == 0 and flat.sharpness == 0 and q.contrast > 0.1
    assert blurred.sharpness < q.sharpness / 3
    assert set(q.to_json()) == {"brightness", "contrast", "sharpness"}


def test_thumbnails_keep_aspect(vtest_frames) -> None:
    small = image_small(vtest_frames[0], FrameInfo(0, 0.0, 768, 576))
    assert small.shape == (144, 192, 3)  # 768x576 shrunk by a whole factor of 4
    assert image_thumb(small).shape == (144, 192)


@pytest.mark.parametrize(("size", "factor"), [((768, 576), 4), ((1920, 1080), 8), ((1366, 768), 4)])
def test_the_thumbnail_from_a_reduced_decode_matches_the_full_one(vtest_jpegs, size, factor):
    """Same size (it comes from the frame's), values within a grey level or two on average."""
    frame = cv2.imdecode(np.frombuffer(vtest_jpegs[0], np.uint8), cv2.IMREAD_COLOR)
    data = cv2.imencode(".jpg", cv2.resize(frame, size), [cv2.IMWRITE_JPEG_QUALITY, 90])[1]
    full = cv2.imdecode(data, cv2.IMREAD_COLOR)
    flag = {4: cv2.IMREAD_REDUCED_COLOR_4, 8: cv2.IMREAD_REDUCED_COLOR_8}[factor]
    reduced = cv2.imdecode(data, flag)
    info = FrameInfo(0, 0.0, *size)
    want, got = image_small(full, info), image_small(reduced, info)
    assert got.shape == want.shape == (*small_size(*size)[::-1], 3)
    assert float(cv2.absdiff(got, want).mean()) < 2.0  # measured 0.3-1.6
