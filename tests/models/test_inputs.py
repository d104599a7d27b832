import numpy as np

from orchestrator.features.faces import BLAZEFACE
from orchestrator.models import CropInput, FrameInput

SSDLITE = FrameInput(300, "stretch", "uint8")
SELFIE = FrameInput(256, "stretch", "float32", scale=1 / 255.0)


def test_letterbox_pads_and_maps_back() -> None:
    image = np.full((100, 200, 3), 255, np.uint8)
    x = BLAZEFACE.make(image)
    assert x.shape == (128, 128, 3) and x.dtype == np.float32
    assert x[0, 64, 0] == -1.0  # padding is black, scaled to -1
    assert x[64, 64, 0] == 1.0  # the frame is white, scaled to +1
    box = BLAZEFACE.letterbox(100, 200)
    corners = box.to_frame(np.array([[0.0, 0.25], [1.0, 0.75]], np.float32), 128)
    np.testing.assert_allclose(corners, [[0, 0], [200, 100]], atol=1e-4)


def test_stretch_inputs_are_rgb() -> None:
    image = np.zeros((60, 80, 3), np.uint8)
    image[..., 2] = 255  # red in BGR
    s = SSDLITE.make(image)
    assert s.shape == (300, 300, 3) and s.dtype == np.uint8 and s[0, 0, 0] == 255
    m = SELFIE.make(image)
    assert m.dtype == np.float32 and m.max() == 1.0 and m[0, 0, 0] == 1.0


def test_crop_inputs_are_normalised_for_the_net() -> None:
    image = np.full((100, 100, 3), 255, np.uint8)
    spec = CropInput(16, "float32", scale=2 / 255.0, offset=-1.0, channels=1, expand=2.0)
    crops = spec.make(image, np.array([[40, 40, 60, 60]], np.float32))
    assert crops.pixels.shape == (1, 16, 16, 1) and crops.pixels.dtype == np.float32
    assert crops.pixels.max() == 1.0  # white, scaled to +1
    assert float(crops.regions.side[0]) == 40.0  # 2x the 20-pixel box


def test_a_letterbox_from_a_reduced_decode_has_the_full_frames_geometry(vtest_jpegs) -> None:
    """A 1500x837 JPEG decoded at 1/2 is 750x419: letterboxed to 128 on its own it would be
    72 rows high, the frame's letterbox is 71. Given the frame's size, the input from the
    reduced decode has the full frame's geometry, and its pixels are close (libjpeg's DCT
    scaling averages; the full path resizes linearly)."""
    import cv2

    frame = cv2.imdecode(np.frombuffer(vtest_jpegs[0], np.uint8), cv2.IMREAD_COLOR)
    data = cv2.imencode(".jpg", cv2.resize(frame, (1500, 837)))[1]
    full = cv2.imdecode(data, cv2.IMREAD_COLOR)
    half = cv2.imdecode(data, cv2.IMREAD_REDUCED_COLOR_2)
    assert half.shape == (419, 750, 3)
    spec = FrameInput(128, "letterbox", "uint8")
    want, got = spec.make(full), spec.make(half, (1500, 837))
    rows = np.flatnonzero(want.any(axis=(1, 2)))
    assert len(rows) == 71 and np.array_equal(rows, np.flatnonzero(got.any(axis=(1, 2))))
    assert len(np.flatnonzero(spec.make(half).any(axis=(1, 2)))) == 72  # what it would be
    assert np.abs(got.astype(int) - want.astype(int)).mean() < 6
