"""Faces: two MediaPipe detectors merged (near and far faces), and face tracks.

BlazeFace short range finds faces within about 2 m and none at a distance; the full-range
detector finds faces down to ~45 px in a 640-wide frame but misses very large ones (a face a
third of the frame wide). Measured on the Megamind clip (270 frames): short 315 faces, full
range 353 but fewer on 8 frames, both merged 366 and never fewer than short range alone; on a
wide shot with six 30-50 px faces: short 0, full range 2 (the 42-46 px ones). So `faces` runs
both nets, concurrently (about 1.3 + 3.8 ms of net time per frame on a CPU), and merges them in
frame pixels with weighted NMS. Detection on tiles of large frames found all six far faces but
cost five times the full-range net: not done.
"""

from __future__ import annotations

import asyncio

import numpy as np

from orchestrator.engine.frame import FrameInfo
from orchestrator.features.catalog import feature
from orchestrator.graph import Window
from orchestrator.models import FrameInput, Infer, Model, TensorSpec
from orchestrator.vision.detections import Detections, from_letterbox, merge
from orchestrator.vision.tracking import BoxTracker

FACE_KEYPOINTS = ("right_eye", "left_eye", "nose_tip", "mouth", "right_ear", "left_ear")
_OUTPUTS = (
    TensorSpec("boxes", "FP32", (-1, 4)),  # x1, y1, x2, y2 normalised to the input
    TensorSpec("keypoints", "FP32", (-1, 6, 2)),  # FACE_KEYPOINTS, normalised x, y
    TensorSpec("scores", "FP32", (-1,)),  # rows padded to the request's largest count
    TensorSpec("count", "INT32", (1,)),
)
# BlazeFace short range: letterboxed RGB frame in [-1, 1], score 0.5, weighted NMS in Triton.
BLAZEFACE = FrameInput(128, "letterbox", "float32", scale=1 / 127.5, offset=-1.0)
FACES = Model("faces", BLAZEFACE, _OUTPUTS)
# Full range: the same at 192 px, one 48x48 anchor grid, score 0.6.
FULL_RANGE = FrameInput(192, "letterbox", "float32", scale=1 / 127.5, offset=-1.0)
FACES_FULL_RANGE = Model("faces_full_range", FULL_RANGE, _OUTPUTS)


@feature("faces", models=(FACES, FACES_FULL_RANGE))
async def faces(
    input_faces: np.ndarray, input_faces_full_range: np.ndarray, frame: FrameInfo, infer: Infer
) -> Detections:
    """Faces near and far: boxes and 6 key points (eyes, nose tip, mouth, ears) in frame pixels."""
    near, far = await asyncio.gather(
        infer(FACES, input_faces[None]), infer(FACES_FULL_RANGE, input_faces_full_range[None])
    )
    w, h = frame.width, frame.height
    both = [from_letterbox(near, BLAZEFACE, w, h), from_letterbox(far, FULL_RANGE, w, h)]
    return merge(both).clip(w, h)


@feature("faces.tracks", window=Window.in_order(BoxTracker))
def faces_tracks(faces: Detections, state: BoxTracker) -> Detections:
    """Faces with stable track ids across frames (norfair: Kalman filter + IoU)."""
    return faces.with_tracks(state.update(faces))
