"""Every neural feature on real frames, through the real embedded Triton."""

from __future__ import annotations

import asyncio
import base64
from itertools import pairwise

import cv2
import numpy as np
import pytest

from orchestrator.features import default_catalog
from orchestrator.features.expression import EXPRESSIONS

from .streams import ROOT, lines_of, run_worker

pytestmark = pytest.mark.triton


@pytest.fixture(scope="module")
def vtest_events(triton, vtest_jpegs):
    features = ["persons", "persons.tracks", "persons.dwell", "persons.pose", "persons.mask"]
    run = run_worker(triton.grpc_url, lines_of(vtest_jpegs[:12]), features)
    return asyncio.run(run)[0]


@pytest.fixture(scope="module")
def megamind_events(triton, megamind_jpegs):
    features = ["faces", "faces.tracks", "faces.landmarks", "faces.expression",
                "faces.expression.smoothed", "faces.blinks"]
    run = run_worker(triton.grpc_url, lines_of(megamind_jpegs[:24]), features)
    return asyncio.run(run)[0]


def test_persons_on_vtest_match_the_bare_model(vtest_events, vtest_jpegs) -> None:
    """The detector misses small walkers on some frames (it finds 1-5 of the 2-7 people), so
    the Triton path is held to the bare ONNX model's counts, frame by frame."""
    ort = pytest.importorskip("onnxruntime")
    net = ort.InferenceSession(str(ROOT / "model_repository/ssdlite_person/1/model.onnx"))
    assert [e["type"] for e in vtest_events] == ["result"] * 12
    counts = []
    for e, jpeg in zip(vtest_events, vtest_jpegs, strict=False):
        frame = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        x = cv2.cvtColor(cv2.resize(frame, (300, 300)), cv2.COLOR_BGR2RGB)[None]
        scores = net.run(["detection_scores:0"], {"image_tensor:0": x})[0][0]
        persons = e["features"]["persons"]
        assert persons["count"] == int((scores >= 0.5).sum()), e["frame"]
        for obj in persons["objects"]:
            x1, y1, x2, y2 = obj["box"]
            assert 0 <= x1 < x2 <= 768 and 0 <= y1 < y2 <= 576 and obj["score"] >= 0.5
        counts.append(persons["count"])
    assert max(counts) <= 7 and 2 <= np.mean(counts) <= 7


def test_person_tracks_are_stable(vtest_events) -> None:
    frames = [
        [o for o in e["features"]["persons.tracks"]["objects"] if o["track"] is not None]
        for e in vtest_events
    ]
    matched = 0
    for prev, cur in pairwise(frames):
        for obj in cur:  # a walker where it was a frame ago keeps its id
            same = [p for p in prev if iou(p["box"], obj["box"]) > 0.5]
            if same:
                matched += 1
                assert same[0]["track"] == obj["track"]
    assert matched >= 15
    assert len({o["track"] for f in frames for o in f}) <= 8  # no new id every frame
    dwell = vtest_events[-1]["features"]["persons.dwell"]["tracks"]
    assert max(t["frames"] for t in dwell) >= 10


def iou(a: list[float], b: list[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / area if area else 0.0


def test_pose_has_33_keypoints_per_person(vtest_events) -> None:
    for e in vtest_events[:3]:
        pose = e["features"]["persons.pose"]
        assert pose["count"] == e["features"]["persons"]["count"]
        for person in pose["people"]:
            assert len(person["keypoints"]) == 33
        best = max(pose["people"], key=lambda p: p["presence"])
        assert best["presence"] > 0.5


def test_mask_is_a_small_png_with_people(vtest_events) -> None:
    mask = vtest_events[0]["features"]["persons.mask"]
    png = cv2.imdecode(np.frombuffer(base64.b64decode(mask["png"]), np.uint8), cv2.IMREAD_GRAYSCALE)
    assert png.shape == (mask["height"], mask["width"]) == (72, 96)
    assert 0 < mask["coverage"] < 0.5 and set(np.unique(png)) <= {0, 255}


def test_face_expression_and_landmarks_on_megamind(megamind_events) -> None:
    assert [e["type"] for e in megamind_events] == ["result"] * 24
    for e in megamind_events:
        f = e["features"]
        assert f["faces"]["count"] >= 1
        assert f["faces.expression"]["count"] == f["faces"]["count"]
        assert all(face["label"] in EXPRESSIONS for face in f["faces.expression"]["faces"])
        marks = f["faces.landmarks"]["faces"]
        assert all(len(face["points"]) == 468 for face in marks)
        assert max(face["presence"] for face in marks) > 0.5
        # the mesh lies on the detected face
        x1, y1, x2, y2 = f["faces"]["objects"][0]["box"]
        nose = np.array(marks[0]["points"])[1, :2]
        assert x1 - 20 <= nose[0] <= x2 + 20 and y1 - 20 <= nose[1] <= y2 + 20


def test_smoothed_expression_follows_the_main_face_track(megamind_events) -> None:
    main = [e["features"]["faces.expression.smoothed"] for e in megamind_events]
    assert main[0]["warming_up"] is True and main[-1]["warming_up"] is False
    tracks = [max(m["faces"], key=lambda f: f["frames"])["track"] for m in main[5:]]
    assert len(set(tracks)) == 1 and tracks[0] is not None  # one stable id for the hero's face
    assert max(f["frames"] for f in main[-1]["faces"]) == 15


def test_blinks_report_per_track(megamind_events) -> None:
    blinks = megamind_events[-1]["features"]["faces.blinks"]
    assert blinks["count"] >= 1
    for track in blinks["tracks"]:
        assert 0.05 < track["ear"] < 0.6 and track["blinks"] >= 0 and track["frames"] >= 1


def short_range_counts(infer, jpegs: list[bytes]) -> list[int]:
    """Faces per frame from the short-range net alone (what `faces` found before far faces)."""
    from orchestrator.features.faces import BLAZEFACE

    frames = [cv2.imdecode(np.frombuffer(j, np.uint8), cv2.IMREAD_COLOR) for j in jpegs]
    out = infer("faces", np.stack([BLAZEFACE.make(f) for f in frames]))
    return out["count"][:, 0].tolist()


def test_faces_finds_far_faces_the_short_range_net_misses(triton, infer) -> None:
    """A wide shot of six faces 30-50 px wide (samples/far_faces): short range finds none;
    `faces` finds the larger ones (42 and 46 px; the full-range net's limit is ~45 px)."""
    jpeg = (ROOT / "samples" / "far_faces" / "astronauts.jpg").read_bytes()
    assert short_range_counts(infer, [jpeg]) == [0]
    (event,) = asyncio.run(run_worker(triton.grpc_url, lines_of([jpeg]), ["faces"]))[0]
    found = event["features"]["faces"]["objects"]
    assert len(found) >= 2
    placed = [(322, 105), (106, 323)]  # centres of the 46 and 42 px faces (make_far_faces.py)
    centres = [((x1 + x2) / 2, (y1 + y2) / 2) for x1, y1, x2, y2 in (f["box"] for f in found)]
    for px, py in placed:
        assert min(np.hypot(cx - px, cy - py) for cx, cy in centres) < 10
    assert all(20 <= f["box"][2] - f["box"][0] <= 70 for f in found)  # faces, not noise


def test_faces_never_fewer_than_the_short_range_net_alone(megamind_events, megamind_jpegs, infer):
    """On the close-up clip, merging the far-face net loses no face the near one found."""
    before = short_range_counts(infer, megamind_jpegs[:24])
    now = [e["features"]["faces"]["count"] for e in megamind_events]
    assert all(n >= b for n, b in zip(now, before, strict=True)), (now, before)
    assert sum(now) > sum(before)  # the character in the background, found at last


def _floats(value: object) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [x for v in value for x in _floats(v)]
    return []


def _digits(x: float) -> int:
    """Significant digits of the float as written (70.1: 3; 70.0999984741211: 15)."""
    mantissa = repr(abs(x)).split("e")[0].replace(".", "").lstrip("0")
    return len(mantissa.rstrip("0")) if "." in repr(x) else len(mantissa)


def test_every_features_json_has_no_float32_artefacts(
    triton, megamind_jpegs, vtest_jpegs
) -> None:
    catalog = default_catalog()
    # a tiling feature delivers once per block: blocks of 4 frames close within these 12
    names = [f"{n}(frames=4)" if catalog[n].window.tiling else n for n in catalog.public()]
    data = lines_of(megamind_jpegs[:8] + vtest_jpegs[:4])  # faces, then people
    events = asyncio.run(run_worker(triton.grpc_url, data, names))[0]
    assert [e["type"] for e in events] == ["result"] * 12 and not any(e["errors"] for e in events)
    assert set().union(*(e["features"] for e in events)) == set(names)
    floats = 0
    for e in events:
        for name, value in e["features"].items():
            for x in _floats(value):
                floats += 1
                assert _digits(x) <= 9, f"frame {e['frame']}: {name} writes {x!r}"
    assert floats > 10_000  # landmarks, pose, boxes, scores, probabilities were all looked at
