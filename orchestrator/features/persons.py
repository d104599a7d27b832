"""People: detection (SSDLite in Triton), tracks, and how long each track has been in view.

Detection is split so that a score threshold is a per-client parameter without a second
inference: `persons.detections` (internal) calls the ensemble, whose post-processing keeps
every box down to `MIN_SCORE` (its `score_threshold` in model_repository/persons_post), and
`persons(min_score=...)` keeps those at or above the client's threshold, on the worker.
Clients with different thresholds share one detection per frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from orchestrator.engine.frame import FrameInfo
from orchestrator.features.catalog import feature
from orchestrator.graph import Param, Window
from orchestrator.models import FrameInput, Infer, Model, TensorSpec
from orchestrator.vision.detections import Detections
from orchestrator.vision.tracking import BoxTracker

FORGET_AFTER_S = 60.0  # dwell state forgets tracks unseen for this long (memory stays flat)
MIN_SCORE = 0.1  # the ensemble's threshold: the lowest `min_score` a client may ask for
DEFAULT_SCORE = 0.5


# SSDLite MobileNetV2 (person) + threshold; rows padded to the request's largest count.
PERSONS = Model(
    "persons",
    FrameInput(300, "stretch", "uint8"),  # RGB frame, stretched
    (
        TensorSpec("boxes", "FP32", (-1, 4)),  # x1, y1, x2, y2 normalised; padded rows
        TensorSpec("scores", "FP32", (-1,)),  # 0 on padded rows
        TensorSpec("count", "INT32", (1,)),  # real rows per image
    ),
)


@feature("persons.detections", models=(PERSONS,), public=False)
async def persons_detections(
    input_persons: np.ndarray, frame: FrameInfo, infer: Infer
) -> Detections:
    """Every person the detector reports down to score 0.1, boxes in frame pixels."""
    out = await infer(PERSONS, input_persons[None])
    n = int(out["count"][0, 0])
    scale = np.array([frame.width, frame.height] * 2, np.float32)
    return Detections(out["boxes"][0, :n] * scale, out["scores"][0, :n].astype(np.float32)).clip(
        frame.width, frame.height
    )


@feature("persons")
def persons(
    persons_detections: Detections,
    *,
    min_score: float = Param(
        DEFAULT_SCORE, ge=MIN_SCORE, le=1.0, doc="keep people detected with at least this score"
    ),
) -> Detections:
    """People in the frame: boxes in frame pixels and scores (SSDLite, score >= min_score)."""
    return persons_detections.above(min_score)


@feature("persons.tracks", window=Window.in_order(BoxTracker))
def persons_tracks(persons: Detections, state: BoxTracker) -> Detections:
    """People with stable track ids across frames (norfair: Kalman filter + IoU)."""
    return persons.with_tracks(state.update(persons))


@dataclass
class DwellState:
    first: dict[int, tuple[float, int]] = field(default_factory=dict)  # track: (ts, frame)
    last_seen: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Dwell:
    JSON: ClassVar[str] = "{count, tracks: [{track, seconds, frames}]}"

    tracks: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {"count": len(self.tracks), "tracks": self.tracks}


@feature("persons.dwell", window=Window.in_order(DwellState))
def persons_dwell(persons_tracks: Detections, frame: FrameInfo, state: DwellState) -> Dwell:
    """Time each visible track has been in view: seconds (by arrival time) and frames."""
    ids = [int(t) for t in persons_tracks.track_ids if t >= 0]
    for tid in ids:
        state.first.setdefault(tid, (frame.ts, frame.seq))
        state.last_seen[tid] = frame.ts
    for tid in [t for t, seen in state.last_seen.items() if frame.ts - seen > FORGET_AFTER_S]:
        del state.last_seen[tid], state.first[tid]
    tracks = [
        {
            "track": tid,
            "seconds": round(frame.ts - state.first[tid][0], 2),
            "frames": frame.seq - state.first[tid][1] + 1,
        }
        for tid in ids
    ]
    return Dwell(tracks)
