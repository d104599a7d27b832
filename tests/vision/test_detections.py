"""Merging several detectors' detections of the same frame."""

import numpy as np

from orchestrator.vision.detections import Detections, merge


def test_merge_averages_one_object_seen_twice_and_keeps_the_others() -> None:
    def dets(boxes: list[list[float]], scores: list[float]) -> Detections:
        points = np.array([[[b[0], b[1]]] for b in boxes], np.float32)
        return Detections(np.array(boxes, np.float32), np.array(scores, np.float32), points)

    near = dets([[0, 0, 10, 10], [50, 50, 60, 60]], [0.9, 0.8])
    far = dets([[2, 0, 12, 10], [100, 100, 104, 104], [52, 52, 58, 58]], [0.3, 0.7, 0.6])
    out = merge([near, far])
    assert len(out) == 3  # the face at the origin and the one at 50 were seen by both
    order = np.argsort(out.xyxy[:, 0])
    np.testing.assert_allclose(out.xyxy[order[0]], [0.5, 0, 10.5, 10])  # 0.9/0.3 weighted
    np.testing.assert_allclose(out.confidence[order], [0.9, 0.8, 0.7])  # the best score stays
    assert out.keypoints is not None and out.keypoints.shape == (3, 1, 2)
    assert len(merge([Detections.empty(), Detections.empty()])) == 0
