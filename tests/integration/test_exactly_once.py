"""Exactly-once and cross-stream batching, proved by Triton's own statistics."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .streams import FRAMEGRAPH, ROOT, framegraph, lines_of

pytestmark = pytest.mark.triton


def run_stats(url: str, features: str, data: bytes, tmp_path: Path) -> dict:
    stats = tmp_path / f"{features}.json"
    out = framegraph(
        "run", "--features", features, "--triton-url", url, "--lossless", "--stats", str(stats),
        stdin=data,
    )
    assert out.returncode == 0, out.stderr.decode()
    return json.loads(stats.read_text())


def test_expression_runs_only_the_face_detector_and_the_expression_net(
    triton, megamind_jpegs, tmp_path
) -> None:
    frames = 10
    s = run_stats(triton.grpc_url, "faces.expression", lines_of(megamind_jpegs[:frames]), tmp_path)
    models = s["triton"]["models"]
    assert models["blazeface"]["inference_count"] == frames
    assert models["fer_emotion"]["inference_count"] >= frames  # one row per face
    assert models["face_expression"]["execution_count"] == frames  # one request per frame
    for never in ("ssdlite_person", "pose_landmark", "face_mesh", "selfie_segmentation"):
        assert never not in models
    assert s["features"]["faces"]["computed"] == frames


def test_expression_and_landmarks_share_one_face_detection_per_frame(
    triton, megamind_jpegs, tmp_path
) -> None:
    frames = 10
    data = lines_of(megamind_jpegs[:frames])
    s = run_stats(triton.grpc_url, "faces.expression,faces.landmarks", data, tmp_path)
    models = s["triton"]["models"]
    assert models["blazeface"]["inference_count"] == frames
    assert models["faces"]["inference_count"] == frames
    assert models["face_landmarks"]["execution_count"] == frames
    assert models["face_expression"]["execution_count"] == frames
    faces = s["features"]["faces"]
    assert (faces["computed"], faces["delivered"], faces["errors"]) == (frames, 0, 0)


def test_four_streams_share_batches(triton, triton_client, vtest_jpegs) -> None:
    def counts() -> tuple[int, int]:
        stats = triton_client.get_inference_statistics("ssdlite_person", as_json=True)
        model = stats["model_stats"][0]
        return int(model.get("inference_count", 0)), int(model.get("execution_count", 0))

    before = counts()
    data = lines_of(vtest_jpegs)
    procs = [
        subprocess.Popen(
            [*FRAMEGRAPH, "run", "-f", "persons", "--triton-url", triton.grpc_url, "--lossless"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
        )
        for _ in range(4)
    ]
    for proc in procs:
        proc.stdin.write(data)  # type: ignore[union-attr]
        proc.stdin.close()  # type: ignore[union-attr]
    for proc in procs:
        out = proc.stdout.read()  # type: ignore[union-attr]
        assert proc.wait(timeout=120) == 0, proc.stderr.read()  # type: ignore[union-attr]
        assert len(out.splitlines()) == len(vtest_jpegs)
    after = counts()
    inferences, executions = after[0] - before[0], after[1] - before[1]
    assert inferences == 4 * len(vtest_jpegs)
    assert executions < 0.8 * inferences  # frames of different streams shared executions


def test_unreachable_triton_is_a_clear_error() -> None:
    out = framegraph("run", "-f", "persons", "--triton-url", "127.0.0.1:9", stdin=b"")
    assert out.returncode == 1
    assert b"Triton unreachable at 127.0.0.1:9" in out.stderr and b"Traceback" not in out.stderr
