"""Blinks per face track, from the eye aspect ratio of the face mesh over a window of frames.

The eye aspect ratio (EAR, Soukupová and Čech 2016) is the eyelid gap over the eye's width;
it drops sharply while the eye is closed. A blink is a run of closed frames that ends
open again inside the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any, ClassVar

import numpy as np

from orchestrator.engine.frame import FrameInfo
from orchestrator.features.catalog import feature
from orchestrator.features.landmarks import Landmarks
from orchestrator.graph import Window
from orchestrator.vision.detections import Detections

BLINK_FRAMES = 64
CLOSED_EAR = 0.2
# Face-mesh indices (p1 outer corner, p2, p3 upper lid, p4 inner corner, p5, p6 lower lid).
EYES = {
    "right": (33, 160, 158, 133, 153, 144),
    "left": (362, 385, 387, 263, 373, 380),
}


def eye_aspect_ratio(points: np.ndarray) -> float:
    """Mean EAR of both eyes for one face's (468, 2+) landmarks."""
    ears = []
    for p1, p2, p3, p4, p5, p6 in EYES.values():
        xy = points[:, :2]
        gap = np.linalg.norm(xy[p2] - xy[p6]) + np.linalg.norm(xy[p3] - xy[p5])
        ears.append(gap / (2 * max(float(np.linalg.norm(xy[p1] - xy[p4])), 1e-6)))
    return float(np.mean(ears))


@dataclass(frozen=True)
class Blinks:
    JSON: ClassVar[str] = (
        "{count, tracks: [{track, blinks, rate_per_min, eyes_closed, ear, frames}]}"
    )

    tracks: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {"count": len(self.tracks), "tracks": self.tracks}


@feature("faces.blinks", window=Window.last(BLINK_FRAMES))
def faces_blinks(
    faces_landmarks: tuple[Landmarks, ...],
    faces_tracks: tuple[Detections, ...],
    frame: tuple[FrameInfo, ...],
) -> Blinks:
    """Blinks per face track over the last 64 frames: count, rate per minute, eyes closed now."""
    series: dict[int, list[tuple[float, float]]] = {}
    for marks, tracks, info in zip(faces_landmarks, faces_tracks, frame, strict=True):
        for tid, pts in zip(tracks.track_ids, marks.points, strict=True):
            if tid >= 0:
                series.setdefault(int(tid), []).append((info.ts, eye_aspect_ratio(pts)))
    out = []
    for tid in (int(t) for t in faces_tracks[-1].track_ids if t >= 0):
        ts, ears = zip(*series[tid], strict=True)
        closed = [e < CLOSED_EAR for e in ears]
        blinks = sum(1 for a, b in pairwise(closed) if a and not b)
        span = ts[-1] - ts[0]
        out.append(
            {
                "track": tid,
                "blinks": blinks,
                "rate_per_min": round(blinks * 60 / span, 1) if span > 0 else None,
                "eyes_closed": closed[-1],
                "ear": round(ears[-1], 3),
                "frames": len(ears),
            }
        )
    return Blinks(out)
