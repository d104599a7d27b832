import numpy as np

from orchestrator.vision.crops import Regions, crop_regions, square_crops


def test_crops_are_square_centred_and_map_back() -> None:
    image = np.zeros((100, 200, 3), np.uint8)
    image[40:60, 90:110] = (0, 0, 255)  # a red square in BGR, centred at (100, 50)
    boxes = np.array([[90, 40, 110, 60], [0, 0, 10, 40]], np.float32)
    crops = square_crops(image, boxes, scale=2.0, size=64)
    assert crops.pixels.shape == (2, 64, 64, 3)
    np.testing.assert_allclose(crops.regions.side, [40, 80])
    centre = crops.pixels[0, 32, 32]
    assert tuple(centre) == (255, 0, 0)  # RGB now
    assert crops.pixels[0, 2, 2].sum() == 0  # outside the red square
    back = crops.to_frame(np.array([[[32.0, 32.0, 8.0]], [[0.0, 0.0, 0.0]]]))
    np.testing.assert_allclose(back[0, 0], [100, 50, 5])  # depth scales like x and y
    np.testing.assert_allclose(back[1, 0, :2], [5 - 40, 20 - 40])  # corner of the second crop


def test_gray_crops_have_one_channel() -> None:
    image = np.full((50, 50, 3), 200, np.uint8)
    crops = square_crops(image, np.array([[10, 10, 30, 30]], np.float32), 1.2, 16, gray=True)
    assert crops.pixels.shape == (1, 16, 16, 1) and crops.pixels[0, 8, 8, 0] == 200


def test_rotated_crops_turn_the_region_upright_and_map_back() -> None:
    image = np.zeros((100, 100, 3), np.uint8)
    image[48:53, 50:80] = 255  # a bar pointing right from the centre
    quarter = np.float32(np.pi / 2)
    regions = Regions(np.array([[50.0, 50.0]], np.float32), np.array([64.0], np.float32),
                      np.array([quarter], np.float32))
    crops = crop_regions(image, regions, 64)
    # a region turned a quarter clockwise shows the rightward bar pointing up (as MediaPipe
    # turns a hand pointing right upright)
    assert crops.pixels[0, 14, 32].min() == 255 and crops.pixels[0, 50, 32].max() == 0
    back = crops.to_frame(np.array([[[32.0, 50.0]]]))
    np.testing.assert_allclose(back[0, 0], [32.0, 50.0], atol=1e-4)  # x = 50 - 18, y = 50


def test_replicated_border_repeats_the_edge() -> None:
    image = np.full((20, 20, 3), 90, np.uint8)
    regions = Regions.around(np.array([[0, 0, 20, 20]], np.float32), 3.0)
    assert crop_regions(image, regions, 30, replicate=True).pixels.min() == 90
    assert crop_regions(image, regions, 30).pixels.min() == 0
