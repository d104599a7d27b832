"""The model repository on a real Triton: every model loads, and each ensemble, fed real frames,
honours its contract and equals onnxruntime run directly plus an independent numpy reference of
the post-processing (written plainly here, not imported from the Python models)."""

from __future__ import annotations

import hashlib
import re
import threading
import urllib.request
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort
import pytest

from orchestrator.features import default_catalog
from orchestrator.triton.contract import check_model
from orchestrator.triton.repository import composing, nets

ROOT = Path(__file__).resolve().parents[2]
REPOSITORY = ROOT / "model_repository"
# What the features declare, and what the repository runs for them.
MODELS = {m.name: m for m in default_catalog().models()}
NETS = {net for name in MODELS for net in nets(name)}
POSTS = {part for name in MODELS for part in composing(name)} - NETS
ALL_MODELS = set(MODELS) | NETS | POSTS
triton = pytest.mark.triton


# -- frames and crops, made here so that these tests depend on nothing but the contract ---------
def frame(folder: str, index: int) -> np.ndarray:
    return cv2.imread(str(ROOT / "samples" / folder / f"{index:04d}.jpg"))


def stretched(image: np.ndarray, size: int) -> np.ndarray:
    return cv2.cvtColor(cv2.resize(image, (size, size)), cv2.COLOR_BGR2RGB)


def letterboxed(image: np.ndarray) -> tuple[np.ndarray, float, float, float]:
    """128x128 RGB in [-1, 1], with scale and padding to map input pixels back to the frame."""
    h, w = image.shape[:2]
    scale = 128 / max(h, w)
    pad_x, pad_y = (128 - w * scale) / 2, (128 - h * scale) / 2
    matrix = np.float32([[scale, 0, pad_x], [0, scale, pad_y]])
    rgb = cv2.cvtColor(cv2.warpAffine(image, matrix, (128, 128)), cv2.COLOR_BGR2RGB)
    return rgb.astype(np.float32) / 127.5 - 1.0, scale, pad_x, pad_y


def square_crop(image: np.ndarray, box: np.ndarray, factor: float, size: int) -> np.ndarray:
    """RGB crop of side `factor` x the longer box side, centred on the box (x1, y1, x2, y2 px)."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    side = factor * max(box[2] - box[0], box[3] - box[1])
    k = size / side
    matrix = np.float32([[k, 0, -(cx - side / 2) * k], [0, k, -(cy - side / 2) * k]])
    return cv2.cvtColor(cv2.warpAffine(image, matrix, (size, size)), cv2.COLOR_BGR2RGB)


@cache
def session(net: str) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    path = REPOSITORY / net / "1" / "model.onnx"
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -100, 100)))


def close(a: np.ndarray, b: np.ndarray, tol: float = 1e-4) -> None:
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


# -- the repository itself ---------------------------------------------------------------------
def test_layout_loads_in_nvidias_container_too() -> None:
    """Explicit configs, no device kind, ONNX nets batched dynamically, README provenance."""
    assert {p.name for p in REPOSITORY.iterdir() if p.is_dir()} == ALL_MODELS
    readme = (REPOSITORY / "README.md").read_text()
    for model in ALL_MODELS:
        config = (REPOSITORY / model / "config.pbtxt").read_text()
        assert f'name: "{model}"' in config
        assert "KIND_CPU" not in config and "KIND_GPU" not in config
        assert int(re.search(r"max_batch_size: (\d+)", config).group(1)) >= 16
        if model in NETS:
            assert 'backend: "onnxruntime"' in config
            assert re.search(r"max_queue_delay_microseconds: (\d+)", config)
            digest = hashlib.sha256((REPOSITORY / model / "1" / "model.onnx").read_bytes())
            assert digest.hexdigest()[:12] in readme, model
        elif model in POSTS:
            assert 'backend: "python"' in config
            assert (REPOSITORY / model / "1" / "model.py").exists()
        else:
            assert 'platform: "ensemble"' in config and (REPOSITORY / model / "1").is_dir()


@triton
def test_every_model_is_ready(triton_client) -> None:
    index = triton_client.get_model_repository_index(as_json=True)["models"]
    assert {m["name"]: m.get("state") for m in index} == dict.fromkeys(ALL_MODELS, "READY")


@triton
def test_server_matches_the_declarations(triton_client) -> None:
    for name, model in MODELS.items():
        config = triton_client.get_model_config(name, as_json=True)
        assert check_model(model, config) is None


@triton
def test_contract_check_names_each_difference(triton_client) -> None:
    config = triton_client.get_model_config("persons", as_json=True)["config"]
    config["input"][0]["data_type"] = "TYPE_FP32"
    config["output"] = [o for o in config["output"] if o["name"] != "count"]
    config["max_batch_size"] = 4
    message = check_model(MODELS["persons"], config)
    assert message is not None and message.startswith("Triton model 'persons'")
    assert "input 'image': expected 'image' UINT8 [300, 300, 3], declared FP32" in message
    assert "output 'count' is missing" in message and "max_batch_size is 4" in message


# -- ensembles on real frames --------------------------------------------------------------------
MIN_SCORE = float(
    re.search(  # type: ignore[union-attr]
        r'"score_threshold" value: \{ string_value: "([0-9.]+)"',
        (ROOT / "model_repository/persons_post/config.pbtxt").read_text(),
    ).group(1)
)


def test_the_person_threshold_is_the_lowest_clients_may_ask() -> None:
    from orchestrator.features.persons import MIN_SCORE as FEATURE_MIN

    assert MIN_SCORE == FEATURE_MIN
def persons_reference(boxes: np.ndarray, scores: np.ndarray, threshold: float = 0.5):
    rows = []
    for b, s in zip(boxes, scores, strict=True):
        kept = sorted((-score, i) for i, score in enumerate(s) if score >= threshold)
        rows.append([(b[i][[1, 0, 3, 2]].clip(0, 1), -neg) for neg, i in kept])
    return rows


@triton
def test_persons_on_people_walking(infer) -> None:
    indices = [0, 8, 16, 24, 32, 39]
    images = np.stack([stretched(frame("vtest", i), 300) for i in indices])
    out = infer("persons", images)
    counts = out["count"][:, 0]
    width = counts.max()
    assert out["boxes"].shape == (6, width, 4) and out["scores"].shape == (6, width)
    assert out["boxes"].dtype == np.float32 and out["count"].dtype == np.int32
    assert all(c >= 2 for c in counts), counts
    raw_boxes, raw_scores = session("ssdlite_person").run(
        ["detection_boxes:0", "detection_scores:0"], {"image_tensor:0": images}
    )
    # the ensemble keeps boxes down to the lowest threshold clients may ask (persons.MIN_SCORE)
    for row, expected in enumerate(persons_reference(raw_boxes, raw_scores, MIN_SCORE)):
        n = counts[row]
        assert n == len(expected)
        close(out["boxes"][row, :n], np.array([b for b, _ in expected]))
        close(out["scores"][row, :n], np.array([s for _, s in expected]))
        assert not out["scores"][row, n:].any() and not out["boxes"][row, n:].any()
        x1, y1, x2, y2 = out["boxes"][row, :n].T
        assert (x1 < x2).all() and (y1 < y2).all()


def faces_reference(regressors, logits, threshold=0.5, iou_limit=0.3):
    """Plain-loop BlazeFace decoding with MediaPipe's weighted NMS, one image."""
    anchors = [
        ((x + 0.5) / grid, (y + 0.5) / grid)
        for grid, per_cell in ((16, 2), (8, 6))
        for y in range(grid)
        for x in range(grid)
        for _ in range(per_cell)
    ]
    found = []
    for (ax, ay), reg, logit in zip(anchors, regressors, logits[:, 0], strict=True):
        score = float(sigmoid(logit))
        if score < threshold:
            continue
        r = reg / 128.0
        cx, cy, w, h = r[0] + ax, r[1] + ay, r[2], r[3]
        box = np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
        points = r[4:].reshape(6, 2) + np.array([ax, ay])
        found.append((score, box, points))
    found.sort(key=lambda f: -f[0])

    def iou(a, b):
        iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
        ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
        union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - iw * ih
        return iw * ih / union

    faces = []
    while found:
        cluster = [f for f in found if iou(found[0][1], f[1]) > iou_limit]
        found = [f for f in found if iou(found[0][1], f[1]) <= iou_limit]
        weights = np.array([s for s, _, _ in cluster])
        box = sum(w * b for w, (_, b, _) in zip(weights, cluster, strict=True)) / weights.sum()
        pts = sum(w * p for w, (_, _, p) in zip(weights, cluster, strict=True)) / weights.sum()
        faces.append((cluster[0][0], box, pts))
    return faces


def main_face(out: dict[str, np.ndarray], row: int) -> np.ndarray:
    """The largest face box of a row, normalised to the 128x128 input."""
    boxes = out["boxes"][row, : out["count"][row, 0]]
    return boxes[np.argmax((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]))]


@triton
def test_faces_on_a_close_face(infer) -> None:
    indices = [0, 30, 60, 90]
    inputs = np.stack([letterboxed(frame("megamind", i))[0] for i in indices])
    out = infer("faces", inputs)
    n = out["count"][:, 0]
    assert (n >= 1).all() and out["keypoints"].shape == (4, n.max(), 6, 2)
    regressors, logits = session("blazeface").run(None, {"input": inputs})
    for row in range(4):
        expected = faces_reference(regressors[row], logits[row])
        assert n[row] == len(expected)
        close(out["scores"][row, : n[row]], np.array([s for s, _, _ in expected]))
        close(out["boxes"][row, : n[row]], np.array([b for _, b, _ in expected]))
        close(out["keypoints"][row, : n[row]], np.array([p for _, _, p in expected]))
        width = main_face(out, row)[2] - main_face(out, row)[0]
        assert out["scores"][row, 0] > 0.75 and 0.1 < width < 0.6  # one big, sure face


@triton
def test_faces_none_on_a_black_frame(infer) -> None:
    out = infer("faces", np.full((1, 128, 128, 3), -1.0, np.float32))
    assert out["count"].tolist() == [[0]]
    assert out["boxes"].shape == (1, 0, 4) and out["keypoints"].shape == (1, 0, 6, 2)


def face_crops(infer, indices: list[int], factor: float, size: int) -> list[np.ndarray]:
    crops = []
    for i in indices:
        image = frame("megamind", i)
        x, scale, pad_x, pad_y = letterboxed(image)
        box = main_face(infer("faces", x[None]), 0) * 128
        crops.append(square_crop(image, (box - [pad_x, pad_y, pad_x, pad_y]) / scale, factor, size))
    return crops


@triton
def test_face_landmarks_on_a_face_crop(infer) -> None:
    crops = np.stack(face_crops(infer, [0, 45], 1.5, 192)).astype(np.float32) / 255
    blank = np.zeros((1, 192, 192, 3), np.float32)
    out = infer("face_landmarks", np.concatenate([crops, blank]))
    assert out["landmarks"].shape == (3, 468, 3) and out["presence"].shape == (3, 1)
    assert (out["presence"][:2] > 0.9).all() and out["presence"][2, 0] < 0.5
    xy = out["landmarks"][:2, :, :2]
    assert ((xy > 0) & (xy < 192)).mean() > 0.98 and np.ptp(xy[0, :, 0]) > 60
    mesh, logit = session("face_mesh").run(None, {"input_1": np.concatenate([crops, blank])})
    close(out["landmarks"], mesh.reshape(3, 468, 3), 1e-3)
    close(out["presence"], sigmoid(logit.reshape(3, 1)))


@triton
def test_face_expression_probabilities(infer) -> None:
    crops = face_crops(infer, [0, 20, 40, 60, 80], 1.2, 64)
    gray = np.stack([cv2.cvtColor(c, cv2.COLOR_RGB2GRAY) for c in crops])[..., None]
    inputs = (gray.astype(np.float32) / 255 - 0.5) * 2
    out = infer("face_expression", inputs)
    assert out["probabilities"].shape == (5, 7) and out["label"].shape == (5, 1)
    close(out["probabilities"].sum(axis=1), np.ones(5), 1e-5)
    assert (out["label"][:, 0] == out["probabilities"].argmax(axis=1)).all()
    (expected,) = session("fer_emotion").run(None, {"input": inputs})
    close(out["probabilities"], expected / expected.sum(axis=1, keepdims=True))


@triton
def test_person_pose_on_person_crops(infer) -> None:
    image = frame("vtest", 10)
    h, w = image.shape[:2]
    found = infer("persons", stretched(image, 300)[None])
    boxes = found["boxes"][0, : found["count"][0, 0]] * [w, h, w, h]
    crops = np.stack([square_crop(image, b, 1.25, 256) for b in boxes[:3]]).astype(np.float32)
    crops /= 255
    out = infer("person_pose", crops)
    n = len(crops)
    assert out["keypoints"].shape == (n, 33, 5) and out["presence"].shape == (n, 1)
    assert out["presence"][0, 0] > 0.5  # the most confident detection is a pose
    assert ((out["keypoints"][..., 3:] >= 0) & (out["keypoints"][..., 3:] <= 1)).all()
    landmarks, flag = session("pose_landmark").run(["Identity", "Identity_1"], {"input_1": crops})
    expected = landmarks.reshape(n, 39, 5)[:, :33].copy()
    expected[..., 3:] = sigmoid(expected[..., 3:])
    close(out["keypoints"], expected, 1e-3)
    close(out["presence"], flag)


@triton
def test_person_mask_on_a_close_person(infer) -> None:
    inputs = np.stack([stretched(frame("megamind", 0), 256)]).astype(np.float32) / 255
    out = infer("person_mask", inputs)
    assert out["mask"].shape == (1, 256, 256) and out["mask"].dtype == np.uint8
    assert 0.05 < (out["mask"] > 127).mean() < 0.95
    (probability,) = session("selfie_segmentation").run(None, {"input_1": inputs})
    expected = np.rint(probability[..., 0] * 255)
    assert np.abs(out["mask"].astype(int) - expected).max() <= 1


@triton
def test_concurrent_requests_are_batched(triton, triton_client) -> None:
    """64 concurrent requests (a few with 3 images) share executions, and each gets its own rows
    back from the concatenated batch."""
    import tritonclient.grpc as grpcclient

    def counts() -> tuple[int, int]:
        stats = triton_client.get_inference_statistics("fer_emotion", as_json=True)
        model = stats["model_stats"][0]
        return int(model.get("inference_count", 0)), int(model.get("execution_count", 0))

    rng = np.random.default_rng(0)
    sizes = [3 if i % 8 == 7 else 1 for i in range(64)]
    images = [rng.uniform(-1, 1, (n, 64, 64, 1)).astype(np.float32) for n in sizes]
    results: dict[int, np.ndarray] = {}
    errors, done = [], threading.Semaphore(0)
    before = counts()
    for i, image in enumerate(images):
        x = grpcclient.InferInput("image", list(image.shape), "FP32")
        x.set_data_from_numpy(image)

        def callback(result, error, i=i) -> None:
            if error:
                errors.append(error)
            else:
                results[i] = result.as_numpy("probabilities")
            done.release()

        triton_client.async_infer("face_expression", [x], callback)
    for _ in images:
        assert done.acquire(timeout=60)
    assert not errors and len(results) == 64
    inferences, executions = (a - b for a, b in zip(counts(), before, strict=True))
    assert inferences == sum(sizes) and executions < 64, (inferences, executions)
    (expected,) = session("fer_emotion").run(None, {"input": np.concatenate(images)})
    got = np.concatenate([results[i] for i in range(64)])
    close(got, expected / expected.sum(axis=1, keepdims=True))
    metrics = urllib.request.urlopen(triton.metrics_url, timeout=5).read().decode()
    assert re.search(r'nv_inference_exec_count\{model="fer_emotion",version="1"\} \d+', metrics)
