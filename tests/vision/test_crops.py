import numpy as np

from orchestrator.vision.crops import square_crops


def test_crops_are_square_centred_and_map_back() -> None:
    image = np.zeros((100, 200, 3), np.uint8)
    image[40:60, 90:110] = (0, 0, 255)  # a red square in BGR, centred at (100, 50)
    boxes = np.array([[90, 40, 110, 60], [0, 0, 10, 40]], np.float32)
    crops = square_crops(image, boxes, scale=2.0, size=64)
    assert crops.pixels.shape == (2, 64, 64, 3)
    np.testing.assert_allclose(crops.side, [40, 80])
    np.testing.assert_allclose(crops.origin[0], [80, 30])
    centre = crops.pixels[0, 32, 32]
    assert tuple(centre) == (255, 0, 0)  # RGB now
    assert crops.pixels[0, 2, 2].sum() == 0  # outside the red square
    back = crops.to_frame(np.array([[[32.0, 32.0, 8.0]], [[0.0, 0.0, 0.0]]]))
    np.testing.assert_allclose(back[0, 0], [100, 50, 5])  # depth scales like x and y
    np.testing.assert_allclose(back[1, 0, :2], crops.origin[1])


def test_gray_crops_have_one_channel() -> None:
    image = np.full((50, 50, 3), 200, np.uint8)
    crops = square_crops(image, np.array([[10, 10, 30, 30]], np.float32), 1.2, 16, gray=True)
    assert crops.pixels.shape == (1, 16, 16, 1) and crops.pixels[0, 8, 8, 0] == 200
