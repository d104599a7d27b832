"""image.preview: bounded size and quality; small input JPEGs passed through byte for byte."""

from __future__ import annotations

import asyncio
import base64
import io

import cv2
import numpy as np
import orjson

from orchestrator.engine.frame import FrameInfo
from orchestrator.features import default_catalog
from orchestrator.features import preview as pv
from orchestrator.features.preview import make_preview, preview_size
from orchestrator.stream.pipeline import PipelineConfig
from orchestrator.stream.worker import Worker


def info(image: np.ndarray, source: bytes | None, fmt: str = "JPEG") -> FrameInfo:
    h, w = image.shape[:2]
    return FrameInfo(0, 0.0, w, h, source=source, source_format=fmt)


def jpeg(image: np.ndarray, quality: int) -> bytes:
    return cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1].tobytes()


def test_sizes_fit_the_bounds_keep_the_aspect_and_never_enlarge() -> None:
    assert preview_size(768, 576, 960, 720) == (768, 576)
    assert preview_size(1920, 1080, 960, 720) == (960, 540)
    assert preview_size(1080, 1920, 960, 720) == (405, 720)
    assert preview_size(4000, 10, 960, 720) == (960, 2)


def test_a_small_input_jpeg_is_passed_through_unchanged(vtest_jpegs, vtest_frames) -> None:
    out = make_preview(vtest_frames[0], info(vtest_frames[0], vtest_jpegs[0]))
    assert out.passthrough and out.jpeg is vtest_jpegs[0]
    assert (out.width, out.height) == (out.frame_width, out.frame_height) == (768, 576)


def test_a_large_frame_is_resized_and_encoded_at_the_documented_quality(vtest_frames) -> None:
    big = cv2.resize(vtest_frames[0], (1920, 1440))
    out = make_preview(big, info(big, jpeg(big, 90)))
    assert not out.passthrough
    assert (out.width, out.height, out.frame_width, out.frame_height) == (960, 720, 1920, 1440)
    decoded = cv2.imdecode(np.frombuffer(out.jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == (720, 960, 3)
    expected = jpeg(cv2.resize(big, (960, 720), interpolation=cv2.INTER_AREA), pv.QUALITY)
    assert out.jpeg == expected


def test_a_heavy_jpeg_or_a_png_is_re_encoded(vtest_frames) -> None:
    noise = np.random.default_rng(0).integers(0, 256, (120, 160, 3), np.uint8)
    heavy = jpeg(noise, 100)
    assert len(heavy) > pv.PASS_BYTES_PER_PIXEL * 120 * 160
    out = make_preview(noise, info(noise, heavy))
    assert not out.passthrough and len(out.jpeg) < len(heavy)
    png = cv2.imencode(".png", vtest_frames[0])[1].tobytes()
    assert not make_preview(vtest_frames[0], info(vtest_frames[0], png, "PNG")).passthrough


def test_the_json_carries_sizes_and_the_jpeg_in_base64(vtest_jpegs, vtest_frames) -> None:
    body = make_preview(vtest_frames[0], info(vtest_frames[0], vtest_jpegs[0])).to_json()
    assert base64.b64decode(body.pop("jpeg")) == vtest_jpegs[0]
    assert body == {
        "width": 768,
        "height": 576,
        "frame_width": 768,
        "frame_height": 576,
        "bytes": len(vtest_jpegs[0]),
        "passthrough": True,
    }


def test_the_pipeline_hands_the_input_bytes_to_the_preview_and_then_drops_them(
    vtest_lines,
) -> None:
    async def run() -> tuple[list[dict], Worker]:
        worker = Worker(default_catalog(), PipelineConfig(lossless=True))
        sub = worker.hub.subscribe(["image.preview", "motion"], policy="backpressure")
        events: list[dict] = []

        async def read() -> None:
            while (msg := await sub.get()) is not None:
                events.append(orjson.loads(msg.data))

        reader = asyncio.create_task(read())
        data = b"".join(line + b"\n" for line in vtest_lines[:5])
        await worker.run(io.BytesIO(data), handle_signals=False)
        await reader
        return events, worker

    events, worker = asyncio.run(run())
    previews = [e["features"]["image.preview"] for e in events]
    assert [p["jpeg"].encode() for p in previews] == vtest_lines[:5]
    assert all(p["passthrough"] for p in previews)
    (lane,) = worker.executor.lanes  # motion's window memory: no pixels, no encoded bytes
    assert lane.history and all(row.info.source is None for row in lane.history)


def test_a_preview_from_a_half_size_decode_is_the_full_ones(vtest_frames) -> None:
    """1920x1080 allows a 1/2 decode (960x540): that is the preview's size, encoded as is."""
    big = cv2.resize(vtest_frames[0], (1920, 1080))
    data = jpeg(big, 90)
    full = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    half = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_REDUCED_COLOR_2)
    want, got = make_preview(full, info(full, data)), make_preview(half, info(full, data))
    assert (got.width, got.height, got.frame_width, got.frame_height) == (960, 540, 1920, 1080)
    a, b = (cv2.imdecode(np.frombuffer(p.jpeg, np.uint8), 1) for p in (want, got))
    assert a.shape == b.shape and float(cv2.absdiff(a, b).mean()) < 2.0
