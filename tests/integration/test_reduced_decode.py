"""Reduced decode through a real worker and the real embedded Triton: results stay in frame
pixels and agree with a full decode.

The same frames run twice: with the features alone (the plan allows a reduced decode) and with
`image.quality` added, whose sharpness needs every pixel, so the plan decodes them whole.
"""

from __future__ import annotations

import asyncio

import cv2
import numpy as np
import pytest

from .streams import lines_of, run_worker

pytestmark = pytest.mark.triton

SIZE = (1536, 1152)  # vtest upscaled 2x: persons (300x300 stretched) allow 1/2


@pytest.fixture(scope="module")
def large_jpegs(vtest_jpegs) -> list[bytes]:
    out = []
    for jpeg in vtest_jpegs[:10]:
        frame = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        big = cv2.resize(frame, SIZE, interpolation=cv2.INTER_CUBIC)
        out.append(cv2.imencode(".jpg", big, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes())
    return out


def run(url: str, jpegs: list[bytes], features: list[str]) -> tuple[list[dict], dict[int, int]]:
    events, worker = asyncio.run(run_worker(url, lines_of(jpegs), features))
    assert [e["type"] for e in events] == ["result"] * len(jpegs)
    return events, worker.telemetry.reductions()


def test_persons_from_a_half_size_decode_are_in_frame_pixels(triton, large_jpegs) -> None:
    reduced, by_factor = run(triton.grpc_url, large_jpegs, ["persons"])
    full, whole = run(triton.grpc_url, large_jpegs, ["persons", "image.quality"])
    assert by_factor == {2: len(large_jpegs)} and whole == {1: len(large_jpegs)}
    matched = 0
    for r, f in zip(reduced, full, strict=True):
        got, want = r["features"]["persons"]["objects"], f["features"]["persons"]["objects"]
        for obj in want:  # each person of the full decode is found, a few pixels away
            near = [o for o in got if np.abs(np.subtract(o["box"], obj["box"])).max() <= 6]
            if obj["score"] >= 0.6:  # clear detections must not move or vanish
                assert near, (r["frame"], obj, got)
            matched += bool(near)
        for obj in got:
            x1, y1, x2, y2 = obj["box"]
            assert 0 <= x1 < x2 <= SIZE[0] and 0 <= y1 < y2 <= SIZE[1]
    assert matched >= 20  # 10 frames of 2-7 walkers
    xs = [o["box"][2] for e in reduced for o in e["features"]["persons"]["objects"]]
    assert max(xs) > SIZE[0] / 2  # boxes span the whole frame, not a half-size picture


def test_scene_cut_and_motion_from_an_eighth_size_decode_match(triton, large_jpegs) -> None:
    features = ["scene.cut", "motion"]
    reduced, by_factor = run(triton.grpc_url, large_jpegs, features)
    full, _ = run(triton.grpc_url, large_jpegs, [*features, "image.quality"])
    assert by_factor == {8: len(large_jpegs)}  # 192 >= 160 wide
    for r, f in zip(reduced, full, strict=True):
        a, b = r["features"], f["features"]
        assert a["scene.cut"]["cut"] == b["scene.cut"]["cut"]
        assert abs(a["scene.cut"]["score"] - b["scene.cut"]["score"]) < 0.05
        assert abs(a["motion"]["fraction"] - b["motion"]["fraction"]) < 0.01
        assert abs(a["motion"]["energy"] - b["motion"]["energy"]) < 0.005


def test_faces_from_a_quarter_size_decode_are_in_frame_pixels(triton, megamind_jpegs) -> None:
    """Both face nets letterbox (128 and 192): a 1440x1056 frame allows 1/4 (360x264)."""
    big = []
    for jpeg in megamind_jpegs[:8]:
        frame = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        frame = cv2.resize(frame, (1440, 1056), interpolation=cv2.INTER_CUBIC)
        big.append(cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes())
    reduced, by_factor = run(triton.grpc_url, big, ["faces"])
    full, _ = run(triton.grpc_url, big, ["faces", "image.quality"])
    assert by_factor == {4: len(big)}
    found = 0
    for r, f in zip(reduced, full, strict=True):
        got, want = r["features"]["faces"]["objects"], f["features"]["faces"]["objects"]
        assert len(got) == len(want)
        # Confident faces stay put. A weak one (score ~0.5-0.7, half turned away) moves by tens
        # of pixels between neighbouring frames of the full decode too, so it is only counted.
        for obj in (o for o in want if o["score"] >= 0.8):
            near = min(got, key=lambda o: np.abs(np.subtract(o["box"], obj["box"])).max())
            assert np.abs(np.subtract(near["box"], obj["box"])).max() <= 8  # measured <= 4
            assert np.abs(np.subtract(near["keypoints"], obj["keypoints"])).max() <= 8
            found += 1
    assert found >= 6
