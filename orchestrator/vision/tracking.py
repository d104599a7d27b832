"""Multi-object tracking of boxes with norfair (Tryolabs), a maintained Kalman + IoU tracker.

Why norfair: it is maintained, small, and its dependencies (numpy<2, scipy, filterpy,
rich) live with ours; Roboflow's `trackers` needs numpy 2 and opencv-python, which clash
with the pinned numpy 1.26 (Triton's Python backend) and opencv-python-headless.
The wrapper returns one id per detection, in detection order, so per-face and per-person
results of the same frame can be joined with their track.
"""

from __future__ import annotations

import numpy as np
from norfair import Detection, Tracker

from orchestrator.vision.detections import Detections


class BoxTracker:
    """Track ids for boxes, frame after frame (call `update` in frame order)."""

    def __init__(
        self,
        distance_threshold: float = 0.8,
        hit_counter_max: int = 10,
        initialization_delay: int = 1,
    ) -> None:
        self._tracker = Tracker(
            distance_function="iou",
            distance_threshold=distance_threshold,
            hit_counter_max=hit_counter_max,
            initialization_delay=initialization_delay,
        )

    def update(self, detections: Detections) -> np.ndarray:
        """Track ids (N,) for this frame's detections; -1 where the track is not yet confirmed."""
        boxes = detections.xyxy.astype(np.float64).reshape(-1, 2, 2)
        dets = [
            Detection(points=boxes[i], scores=np.repeat(detections.confidence[i], 2), data=i)
            for i in range(len(boxes))
        ]
        ids = np.full(len(dets), -1, np.int64)
        for obj in self._tracker.update(detections=dets):
            last = obj.last_detection  # matched in this very frame, or an older one
            if last is not None and last.data < len(dets) and dets[last.data] is last:
                ids[last.data] = obj.id
        return ids
