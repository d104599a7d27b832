import cv2
import numpy as np
import pytest


@pytest.fixture(scope="session")
def vtest_frames(vtest_jpegs) -> list[np.ndarray]:
    return [cv2.imdecode(np.frombuffer(j, np.uint8), cv2.IMREAD_COLOR) for j in vtest_jpegs]


@pytest.fixture(scope="session")
def megamind_frames(megamind_jpegs) -> list[np.ndarray]:
    return [cv2.imdecode(np.frombuffer(j, np.uint8), cv2.IMREAD_COLOR) for j in megamind_jpegs]
