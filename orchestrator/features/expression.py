"""Facial expression per face (mini-Xception on FER2013), and its smoothing over face tracks.

Per-frame labels on video are noisy (models/README.md): the smoothed feature averages each
track's probabilities over the last frames, which is what a viewer should be shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from orchestrator.features.catalog import feature
from orchestrator.graph import Param, Window
from orchestrator.models import CropInput, Infer, Model, TensorSpec
from orchestrator.vision.detections import Detections

SMOOTHING_FRAMES = 15
EXPRESSIONS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
# mini-Xception (FER2013) on grey face crops 1.2x the box, (x / 255 - 0.5) * 2.
FACE_EXPRESSION = Model(
    "face_expression",
    CropInput(64, "float32", scale=2 / 255.0, offset=-1.0, channels=1, expand=1.2),
    (
        TensorSpec("probabilities", "FP32", (7,)),  # in EXPRESSIONS order
        TensorSpec("label", "INT32", (1,)),  # index into EXPRESSIONS
    ),
)


@dataclass(frozen=True)
class Expressions:
    JSON: ClassVar[str] = (
        "{count, faces: [{label, score, probabilities: {angry, ...}, track?, frames?}]}"
    )

    probabilities: np.ndarray  # (N, 7) in EXPRESSIONS order, one row per face
    frames: np.ndarray | None = None  # (N,) frames averaged (smoothed only)
    tracker_id: np.ndarray | None = None  # (N,) (smoothed only)

    @property
    def labels(self) -> list[str]:
        return [EXPRESSIONS[i] for i in np.argmax(self.probabilities, axis=1)]

    def to_json(self) -> dict[str, Any]:
        faces = []
        for i, label in enumerate(self.labels):
            face: dict[str, Any] = {
                "label": label,
                "score": round(float(self.probabilities[i].max()), 3),
                "probabilities": dict(
                    zip(EXPRESSIONS, np.round(self.probabilities[i], 3).tolist(), strict=True)
                ),
            }
            if self.tracker_id is not None and self.frames is not None:
                tid = int(self.tracker_id[i])
                face["track"] = tid if tid >= 0 else None
                face["frames"] = int(self.frames[i])
            faces.append(face)
        return {"count": len(faces), "faces": faces}


@feature("faces.expression", models=(FACE_EXPRESSION,))
async def faces_expression(faces: Detections, image: np.ndarray, infer: Infer) -> Expressions:
    """The expression of each face (angry, disgust, fear, happy, sad, surprise, neutral)."""
    if not len(faces):
        return Expressions(np.zeros((0, 7), np.float32))
    crops = FACE_EXPRESSION.input.make(image, faces.xyxy)
    out = await infer(FACE_EXPRESSION, crops.pixels)
    return Expressions(out["probabilities"])


@feature("faces.expression.smoothed", window=Window.last("window"))
def faces_expression_smoothed(
    faces_expression: tuple[Expressions, ...],
    faces_tracks: tuple[Detections, ...],
    *,
    window: int = Param(SMOOTHING_FRAMES, ge=2, le=120, doc="frames averaged (the window)"),
) -> Expressions:
    """Each tracked face's expression averaged over its last frames (15; steadier labels)."""
    current = faces_tracks[-1].track_ids
    history: dict[int, list[np.ndarray]] = {}
    for expr, tracks in zip(faces_expression, faces_tracks, strict=True):
        for tid, probs in zip(tracks.track_ids, expr.probabilities, strict=True):
            if tid >= 0:
                history.setdefault(int(tid), []).append(probs)
    rows, counts = [], []
    for i, tid in enumerate(current):
        seen = history.get(int(tid)) if tid >= 0 else None
        rows.append(np.mean(seen, axis=0) if seen else faces_expression[-1].probabilities[i])
        counts.append(len(seen) if seen else 1)
    probs = np.array(rows, np.float32).reshape(-1, 7)
    return Expressions(probs, np.array(counts), current)
