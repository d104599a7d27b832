"""Faces: detection (BlazeFace in Triton, anchors decoded there) and face tracks."""

from __future__ import annotations

from typing import Any

import numpy as np

from orchestrator.decode.inputs import BLAZEFACE
from orchestrator.engine.frame import FrameInfo
from orchestrator.features.catalog import feature
from orchestrator.graph import Window
from orchestrator.vision.detections import Detections
from orchestrator.vision.tracking import BoxTracker


@feature("faces", models=("faces",))
async def faces(input_blazeface: np.ndarray, frame: FrameInfo, triton: Any) -> Detections:
    """Faces: boxes and 6 key points (eyes, nose tip, mouth, ears) in frame pixels."""
    out = await triton.infer("faces", input_blazeface[None])
    n = int(out["count"][0, 0])
    box = BLAZEFACE.letterbox(frame.height, frame.width)
    xyxy = box.to_frame(out["boxes"][0, :n].reshape(n, 2, 2), BLAZEFACE.size).reshape(n, 4)
    keypoints = box.to_frame(out["keypoints"][0, :n], BLAZEFACE.size)
    detections = Detections(xyxy, out["scores"][0, :n].astype(np.float32), keypoints)
    return detections.clip(frame.width, frame.height)


@feature("faces.tracks", window=Window.in_order(BoxTracker))
def faces_tracks(faces: Detections, state: BoxTracker) -> Detections:
    """Faces with stable track ids across frames (norfair: Kalman filter + IoU)."""
    return faces.with_tracks(state.update(faces))
