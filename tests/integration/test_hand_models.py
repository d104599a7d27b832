"""The hand ensembles on a real Triton, on real images of hands (samples/hands/).

`hand_palms` must equal onnxruntime run directly plus the independent numpy reference of
MediaPipe's decoding (`mediapipe_reference.py`) to 1e-4 (scores, and coordinates normalised to
the 192x192 input: 0.02 px there). `hand_landmarks`, fed the rotated crops the reference makes
from those palms, must equal onnxruntime to 1e-3 crop pixels (presence and handedness to 1e-5),
and its landmarks must make sense: 21 points inside the frame, fingertips beyond their knuckles,
and, these hands being open, the gesture classifier must call each an open palm.
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort
import pytest

from orchestrator.triton.backend.install import Bundle, BundleNotFound
from orchestrator.triton.embedded import EmbeddedTriton, TritonStartupError
from orchestrator.vision.gestures import classify

from . import mediapipe_reference as ref

ROOT = Path(__file__).resolve().parents[2]
REPOSITORY = ROOT / "model_repository"
HANDS = sorted((ROOT / "samples" / "hands").glob("*.jpg"))
PALM_OUTPUTS = ["boxes", "keypoints", "scores", "count"]
LANDMARK_OUTPUTS = ["landmarks", "presence", "handedness"]
TIPS, MCPS = [4, 8, 12, 16, 20], [2, 5, 9, 13, 17]
DECODERS = ("palm_detection_post", "face_detection_full_range_post")
triton = pytest.mark.triton


@cache
def session(net: str) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    path = REPOSITORY / net / "1" / "model.onnx"
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def rgb(path: Path) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)


def close(a: np.ndarray, b: np.ndarray, tol: float) -> None:
    np.testing.assert_allclose(a, b, rtol=0, atol=tol)


def xyxy(det: ref.Detection) -> list[float]:
    x, y, w, h = det["box"]
    return [x, y, x + w, y + h]


@pytest.fixture(scope="module")
def palms(infer) -> dict:
    """The four hands and a blank frame, letterboxed as MediaPipe does, in one request."""
    images = [rgb(p) for p in HANDS]
    boxed = [ref.letterbox(im, 192, (0.0, 1.0)) for im in images]
    inputs = np.stack([t for t, _ in boxed] + [np.zeros((192, 192, 3), np.float32)])
    out = infer("hand_palms", inputs, outputs=PALM_OUTPUTS)
    return {"images": images, "pads": [p for _, p in boxed], "inputs": inputs, **out}


def test_the_two_ssd_decoders_are_one_file() -> None:
    """The palm and full-range face decoders differ only in their configs' anchor layout."""
    first, second = ((REPOSITORY / m / "1" / "model.py").read_bytes() for m in DECODERS)
    assert first == second, "edit one SSD decoder, copy it over the other"


@triton
def test_hand_palms_match_the_reference(palms) -> None:
    counts = palms["count"][:, 0]
    assert counts.tolist() == [1, 1, 1, 1, 0]  # one hand each, none on the blank
    assert palms["boxes"].shape == (5, 1, 4) and palms["keypoints"].shape == (5, 1, 7, 2)
    assert palms["boxes"].dtype == np.float32 and palms["count"].dtype == np.int32
    assert not palms["boxes"][4].any() and not palms["scores"][4].any()  # the padded row
    regressors, logits = session("palm_detection").run(None, {"input": palms["inputs"]})
    for row, n in enumerate(counts):
        expected = ref.weighted_nms(ref.decode_ssd(regressors[row], logits[row], ref.PALM), 0.3)
        assert len(expected) == n
        for i, det in enumerate(expected):
            close(palms["scores"][row, i], det["score"], 1e-4)
            close(palms["boxes"][row, i], xyxy(det), 1e-4)
            close(palms["keypoints"][row, i], det["kps"], 1e-4)
    assert (palms["scores"][:4, 0] > 0.95).all()


@triton
def test_hand_landmarks_on_the_rotated_crops(infer, palms) -> None:
    rects, crops, palm_sides = [], [], []
    for row, image in enumerate(palms["images"]):
        h, w = image.shape[:2]
        x1, y1, x2, y2 = palms["boxes"][row, 0]
        found = {"box": [x1, y1, x2 - x1, y2 - y1], "kps": palms["keypoints"][row, 0].tolist()}
        (palm,) = ref.remove_letterbox([found], palms["pads"][row])
        palm_sides.append(max(palm["box"][2] * w, palm["box"][3] * h))
        rects.append(ref.palm_to_hand_rect(palm, w, h))
        crops.append(ref.hand_crop(image, rects[-1]))
    noise = np.random.default_rng(0).uniform(0, 1, (1, 224, 224, 3)).astype(np.float32)
    inputs = np.concatenate([np.stack(crops), noise])
    out = infer("hand_landmarks", inputs, outputs=LANDMARK_OUTPUTS)
    assert out["landmarks"].shape == (5, 21, 3) and out["presence"].shape == (5, 1)
    assert out["handedness"].shape == (5, 1)
    landmarks, presence, handedness, _ = session("hand_landmark").run(None, {"input": inputs})
    close(out["landmarks"], landmarks.reshape(5, 21, 3), 1e-3)
    close(out["presence"], presence, 1e-5)
    close(out["handedness"], handedness, 1e-5)  # as the net gives it
    assert (out["presence"][:4, 0] > 0.9).all() and out["presence"][4, 0] < 0.5
    assert ((out["handedness"] >= 0) & (out["handedness"] <= 1)).all()

    for row, image in enumerate(palms["images"]):
        h, w = image.shape[:2]
        points = ref.project_landmarks(out["landmarks"][row], rects[row]) * [w, h, w]
        xy = points[:, :2]
        assert ((xy >= 0) & (xy <= [w, h])).all(), HANDS[row].name  # 21 points in the frame
        wrist = xy[0]
        reach = np.linalg.norm(xy[TIPS] - wrist, axis=1)
        knuckles = np.linalg.norm(xy[MCPS] - wrist, axis=1)
        assert (reach > 1.2 * knuckles).all(), HANDS[row].name  # open fingers point away
        span = reach[2] / palm_sides[row]  # wrist to middle fingertip, in palm boxes
        assert 1.0 < span < 3.5, (HANDS[row].name, span)
        name, score = classify(points)
        assert name == "open_palm" and score > 0.5, (HANDS[row].name, name, score)


@triton
def test_an_anchor_layout_that_does_not_fit_the_net_fails_at_load(tmp_path) -> None:
    try:
        Bundle.locate()
    except BundleNotFound as exc:
        pytest.skip(str(exc))
    model = "face_detection_full_range_post"
    shutil.copytree(REPOSITORY / model, tmp_path / model)
    config = tmp_path / model / "config.pbtxt"
    config.write_text(config.read_text().replace('"48:1"', '"24:2,12:6"'))
    with pytest.raises(TritonStartupError, match="anchor_grids make 2016 anchors, the net 2304"):
        EmbeddedTriton(tmp_path, models=[model], startup_timeout=60).start()
