"""Detections as a typed dataclass over numpy arrays (after Supervision's `Detections`).

Boxes are in frame pixels whatever the net's input size, so every feature and client
speaks one coordinate system. Per-object arrays stay aligned by index: the tracker's
ids, a crop model's outputs and the JSON objects all follow the detection order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np


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
