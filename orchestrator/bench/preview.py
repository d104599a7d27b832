"""image.preview's cost: CPU ms and bytes per frame, for the clip as it comes and for a camera.

Viewers cost one preview per frame however many watch, so its own cost is what matters:
- "as it comes": the clip's own JPEGs (768x576, about 0.15 bytes per pixel) fit the
  bounds and are light enough: passed through, the cost is a few checks;
- "1080p camera": the same frames as a 1920x1080 camera would send them (JPEG quality 90):
  resized to 960x540 and re-encoded at the preview's quality.

Decoding is not counted (the pipeline decodes once for every feature); the base64 of the
JSON event is, since it is paid once per frame too. CPU time is this process's
(`time.process_time`), the best of a few rounds over every frame of the clip.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from orchestrator.engine.frame import FrameInfo
from orchestrator.features.preview import make_preview

CAMERA = (1920, 1080)
CAMERA_QUALITY = 90


def _frames(jpegs: Sequence[bytes], size: tuple[int, int] | None) -> list[tuple[Any, FrameInfo]]:
    out = []
    for i, data in enumerate(jpegs):
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if size is not None:
            image = cv2.resize(image, size, interpolation=cv2.INTER_CUBIC)
            params = [cv2.IMWRITE_JPEG_QUALITY, CAMERA_QUALITY]
            data = cv2.imencode(".jpg", image, params)[1].tobytes()
        h, w = image.shape[:2]
        out.append((image, FrameInfo(i, 0.0, w, h, source=data, source_format="JPEG")))
    return out


@dataclass(frozen=True)
class PreviewCase:
    case: str
    frame: str  # WxH of the input frame
    preview: str  # WxH of the preview
    passthrough: float  # share of frames sent as they came
    cpu_ms_per_frame: float
    json_cpu_ms_per_frame: float  # base64 for the JSON event
    input_bytes_per_frame: int
    bytes_per_frame: int
    json_bytes_per_frame: int


@dataclass(frozen=True)
class PreviewFigures:
    frames: int
    cases: list[PreviewCase]


def _case(name: str, frames: list[tuple[Any, FrameInfo]], rounds: int) -> PreviewCase:
    best_make = best_json = float("inf")
    previews = []
    for _ in range(rounds):
        start = time.process_time()
        previews = [make_preview(image, info) for image, info in frames]
        made = time.process_time()
        for p in previews:
            base64.b64encode(p.jpeg)
        best_make = min(best_make, made - start)
        best_json = min(best_json, time.process_time() - made)
    n = len(frames)
    first, info = previews[0], frames[0][1]
    return PreviewCase(
        case=name,
        frame=f"{info.width}x{info.height}",
        preview=f"{first.width}x{first.height}",
        passthrough=sum(p.passthrough for p in previews) / n,
        cpu_ms_per_frame=round(best_make / n * 1000, 3),
        json_cpu_ms_per_frame=round(best_json / n * 1000, 3),
        input_bytes_per_frame=round(sum(len(i.source or b"") for _, i in frames) / n),
        bytes_per_frame=round(sum(len(p.jpeg) for p in previews) / n),
        json_bytes_per_frame=round(sum(4 * ((len(p.jpeg) + 2) // 3) for p in previews) / n),
    )


def measure(jpegs: Sequence[bytes], rounds: int = 3) -> PreviewFigures:
    """Both cases on `jpegs` (the frames of a clip)."""
    return PreviewFigures(
        len(jpegs),
        [
            _case("as it comes", _frames(jpegs, None), rounds),
            _case("1080p camera", _frames(jpegs, CAMERA), rounds),
        ],
    )


def section(figures: PreviewFigures | None) -> list[str]:
    """The Markdown table of a run's preview figures (nothing for runs without them)."""
    if figures is None:
        return []
    lines = [
        f"### image.preview: one JPEG per frame for every viewer ({figures.frames} frames)",
        "",
        "| input | frame → preview | passed through | CPU ms/frame (+ base64) "
        "| bytes/frame in → out (JSON) |",
        "|---|---|---|---|---|",
    ]
    for c in figures.cases:
        lines.append(
            f"| {c.case} | {c.frame} → {c.preview} | {c.passthrough:.0%} "
            f"| {c.cpu_ms_per_frame:.2f} (+ {c.json_cpu_ms_per_frame:.2f}) "
            f"| {c.input_bytes_per_frame} → {c.bytes_per_frame} ({c.json_bytes_per_frame}) |"
        )
    return [*lines, ""]
