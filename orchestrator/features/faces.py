"""Faces: detection (BlazeFace in Triton, anchors decoded there) and face tracks."""

from __future__ import annotations

import numpy as np

from orchestrator.engine.frame import FrameInfo
from orchestrator.features.catalog import feature
from orchestrator.graph import Window
from orchestrator.models import FrameInput, Infer, Model, TensorSpec
from orchestrator.vision.detections import Detections
from orchestrator.vision.tracking import BoxTracker

FACE_KEYPOINTS = ("right_eye", "left_eye", "nose_tip", "mouth", "right_ear", "left_ear")
# BlazeFace short range + anchor decoding and weighted NMS; rows padded to the largest count.
BLAZEFACE = FrameInput(128, "letterbox", "float32", scale=1 / 127.5, offset=-1.0)
FACES = Model(
    "faces",
    BLAZEFACE,  # letterboxed RGB frame in [-1, 1]
    (
        TensorSpec("boxes", "FP32", (-1, 4)),  # normalised to the 128x128 input
        TensorSpec("keypoints", "FP32", (-1, 6, 2)),  # FACE_KEYPOINTS, normalised x, y
        TensorSpec("scores", "FP32", (-1,)),
        TensorSpec("count", "INT32", (1,)),
    ),
)


@feature("faces", models=(FACES,))
async def faces(input_faces: np.ndarray, frame: FrameInfo, infer: Infer) -> Detections:
    """Faces: boxes and 6 key points (eyes, nose tip, mouth, ears) in frame pixels."""
    out = await infer(FACES, input_faces[None])
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
