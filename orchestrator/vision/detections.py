"""Detections as a typed dataclass over numpy arrays (after Supervision's `Detections`).

Boxes are in frame pixels whatever the net's input size, so every feature and client
speaks one coordinate system. Per-object arrays stay aligned by index: the tracker's
ids, a crop model's outputs and the JSON objects all follow the detection order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:
    from orchestrator.models.inputs import FrameInput


@dataclass(frozen=True)
class Detections:
    JSON: ClassVar[str] = (
        "{count, objects: [{box: [x1, y1, x2, y2] px, score, keypoints?: [[x, y]] px, "
        "track?: int | null}]}"
    )

    xyxy: np.ndarray  # (N, 4) float32, x1 y1 x2 y2 in frame pixels
    confidence: np.ndarray  # (N,) float32
    keypoints: np.ndarray | None = None  # (N, K, 2) float32 frame pixels
    tracker_id: np.ndarray | None = None  # (N,) int64; -1 while a track is unconfirmed

    @classmethod
    def empty(cls) -> Detections:
        return cls(np.zeros((0, 4), np.float32), np.zeros((0,), np.float32))

    def __len__(self) -> int:
        return len(self.xyxy)

    def with_tracks(self, ids: np.ndarray) -> Detections:
        return replace(self, tracker_id=np.asarray(ids, np.int64))

    @property
    def track_ids(self) -> np.ndarray:
        """(N,) track ids; all -1 (unconfirmed) when these detections were never tracked."""
        if self.tracker_id is None:
            return np.full(len(self), -1, np.int64)
        return self.tracker_id

    def above(self, score: float) -> Detections:
        """The detections scoring at least `score` (all arrays stay aligned)."""
        keep = self.confidence >= score
        if keep.all():
            return self
        return Detections(
            self.xyxy[keep],
            self.confidence[keep],
            None if self.keypoints is None else self.keypoints[keep],
            None if self.tracker_id is None else self.tracker_id[keep],
        )

    def clip(self, width: int, height: int) -> Detections:
        xyxy = self.xyxy.copy()
        np.clip(xyxy[:, 0::2], 0, width, out=xyxy[:, 0::2])
        np.clip(xyxy[:, 1::2], 0, height, out=xyxy[:, 1::2])
        return replace(self, xyxy=xyxy)

    def to_json(self) -> dict[str, Any]:
        objects = []
        for i in range(len(self)):
            obj: dict[str, Any] = {
                "box": [round(float(v), 1) for v in self.xyxy[i]],
                "score": round(float(self.confidence[i]), 3),
            }
            if self.keypoints is not None:
                obj["keypoints"] = np.round(self.keypoints[i], 1).tolist()
            if self.tracker_id is not None:
                tid = int(self.tracker_id[i])
                obj["track"] = tid if tid >= 0 else None
            objects.append(obj)
        return {"count": len(self), "objects": objects}


def _overlap(box: np.ndarray, others: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(IoU, intersection over the smaller box) of one xyxy box with (K, 4) boxes."""
    lo = np.maximum(box[:2], others[:, :2])
    hi = np.minimum(box[2:], others[:, 2:])
    inter = np.prod(np.clip(hi - lo, 0, None), axis=1)
    area = np.prod(box[2:] - box[:2])
    areas = np.prod(others[:, 2:] - others[:, :2], axis=1)
    union = np.maximum(area + areas - inter, 1e-9)
    return inter / union, inter / np.maximum(np.minimum(area, areas), 1e-9)


def merge(parts: list[Detections], iou: float = 0.3, within: float = 0.6) -> Detections:
    """One set from several detectors' sets: boxes of one object (IoU above `iou`, or one box
    mostly inside the other) are averaged, weighted by score (MediaPipe's weighted NMS).
    Key points are kept when every part has them (same points, same order)."""
    xyxy = np.concatenate([d.xyxy.reshape(-1, 4) for d in parts]).astype(np.float32)
    scores = np.concatenate([d.confidence for d in parts]).astype(np.float32)
    parts_points = [d.keypoints for d in parts]
    points = None
    if all(p is not None for p in parts_points):
        points = np.concatenate([p for p in parts_points if p is not None]).astype(np.float32)
    boxes, best, kept_points = [], [], []
    remaining = np.argsort(-scores, kind="stable")
    while remaining.size:
        by_iou, by_inside = _overlap(xyxy[remaining[0]], xyxy[remaining])
        same = (by_iou > iou) | (by_inside > within)
        same[0] = True  # the best box always starts its own cluster
        cluster, remaining = remaining[same], remaining[~same]
        w = scores[cluster] / scores[cluster].sum()
        boxes.append(w @ xyxy[cluster])
        best.append(scores[cluster[0]])
        if points is not None:
            kept_points.append(np.tensordot(w, points[cluster], axes=1))
    if points is not None:
        points = np.array(kept_points, np.float32).reshape(-1, *points.shape[1:])
    return Detections(
        np.array(boxes, np.float32).reshape(-1, 4), np.array(best, np.float32), points
    )


def from_letterbox(
    out: dict[str, np.ndarray], spec: FrameInput, width: int, height: int
) -> Detections:
    """One image's rows of a detector ensemble (`boxes`, `keypoints` and `scores` normalised to
    its letterboxed input, padded; `count` real rows) as detections in frame pixels (unclipped:
    several detectors' boxes are merged before clipping)."""
    n = int(out["count"][0, 0])
    box = spec.letterbox(height, width)
    xyxy = box.to_frame(out["boxes"][0, :n].reshape(n, 2, 2), spec.size).reshape(n, 4)
    keypoints = box.to_frame(out["keypoints"][0, :n], spec.size)
    scores = out["scores"][0, :n].astype(np.float32)
    return Detections(xyxy, scores, keypoints)
