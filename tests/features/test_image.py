import cv2
import numpy as np

from orchestrator.features.image import image_gray, image_quality, image_small, image_thumb


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
    small = image_small(vtest_frames[0])
    assert small.shape == (144, 192, 3)  # 768x576 shrunk by a whole factor of 4
    assert image_thumb(small).shape == (144, 192)
