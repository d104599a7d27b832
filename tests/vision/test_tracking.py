import numpy as np

from orchestrator.vision.detections import Detections
from orchestrator.vision.tracking import BoxTracker


def dets(*boxes: tuple[float, float, float, float]) -> Detections:
    return Detections(
        np.array(boxes, np.float32).reshape(-1, 4), np.full(len(boxes), 0.9, np.float32)
    )


def test_ids_follow_moving_boxes_in_detection_order() -> None:
    tracker = BoxTracker()
    history = []
    for k in range(8):
        a = (10 + 3 * k, 10, 60 + 3 * k, 110)
        b = (300 - 2 * k, 50, 350 - 2 * k, 150)
        order = (a, b) if k % 2 == 0 else (b, a)  # detection order changes, ids must not
        ids = tracker.update(dets(*order))
        history.append(dict(zip(order, ids, strict=True)))
    firsts = [history[k] for k in range(2, 8)]
    a_ids = {h[(10 + 3 * k, 10, 60 + 3 * k, 110)] for k, h in zip(range(2, 8), firsts, strict=True)}
    b_ids = {
        h[(300 - 2 * k, 50, 350 - 2 * k, 150)] for k, h in zip(range(2, 8), firsts, strict=True)
    }
    assert len(a_ids) == 1 and len(b_ids) == 1 and a_ids != b_ids and -1 not in a_ids | b_ids


def test_new_tracks_are_unconfirmed_first_and_empty_frames_are_fine() -> None:
    tracker = BoxTracker()
    assert tracker.update(dets((0, 0, 10, 10))).tolist() == [-1]
    assert tracker.update(dets((0, 0, 10, 10)))[0] >= 0
    assert tracker.update(Detections.empty()).tolist() == []


def test_json_has_pixels_scores_and_tracks() -> None:
    d = dets((1.04, 2, 3, 4)).with_tracks(np.array([-1]))
    assert d.to_json() == {
        "count": 1,
        "objects": [{"box": [1.0, 2.0, 3.0, 4.0], "score": 0.9, "track": None}],
    }
