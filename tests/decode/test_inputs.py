import numpy as np

from orchestrator.decode.inputs import BLAZEFACE, SELFIE, SSDLITE


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
