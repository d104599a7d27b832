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


def eye_aspect_ratios(points: np.ndarray) -> np.ndarray:
    """Mean EAR of both eyes for each face of (N, 468, 2+) landmarks: (N,)."""
    ears = []
    for eye in EYES.values():
        p1, p2, p3, p4, p5, p6 = (points[:, i, :2] for i in eye)
        gap = np.linalg.norm(p2 - p6, axis=1) + np.linalg.norm(p3 - p5, axis=1)
        ears.append(gap / (2 * np.maximum(np.linalg.norm(p1 - p4, axis=1), 1e-6)))
    return np.mean(ears, axis=0).astype(np.float32)


@feature("faces.eyes", public=False)
def faces_eyes(faces_landmarks: Landmarks) -> np.ndarray:
    """Eye aspect ratio per face, once per frame: the blink window then only reads floats."""
    return eye_aspect_ratios(faces_landmarks.points)


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
    faces_eyes: tuple[np.ndarray, ...],
    faces_tracks: tuple[Detections, ...],
    frame: tuple[FrameInfo, ...],
) -> Blinks:
    """Blinks per face track over the last 64 frames: count, rate per minute, eyes closed now."""
    series: dict[int, list[tuple[float, float]]] = {}
    for per_face, tracks, info in zip(faces_eyes, faces_tracks, frame, strict=True):
        for tid, ear in zip(tracks.track_ids, per_face, strict=True):
            if tid >= 0:
                series.setdefault(int(tid), []).append((info.ts, float(ear)))
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
