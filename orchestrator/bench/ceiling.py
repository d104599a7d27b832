"""The ceiling: each bare ONNX net in onnxruntime at its best batch size on this machine.

Nothing else runs: no decode, no pre- or post-processing, no transport; just `session.run`
on ready inputs made from the sample frames (crop nets get crops of the frame centre:
a CNN's speed does not depend on what the pixels show). Sessions are built with the
embedded server's own options (`backend/onnxruntime/model.py`: intra-op threads, no
spinning), and once more with spinning allowed, which a single dedicated session would
use; the ceiling is the best of all. Run as `python -m orchestrator.bench.ceiling`.
"""

from __future__ import annotations

import argparse
import base64
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np
import onnxruntime as ort
import orjson

from orchestrator.bench.inprocess import BACKEND, load_module
from orchestrator.bench.repository import load_config
from orchestrator.bench.workload import Clip
from orchestrator.decode.inputs import BLAZEFACE, SELFIE, SSDLITE
from orchestrator.triton.embedded import default_model_repository
from orchestrator.vision.crops import square_crops


def _centre_crop(scale: float, size: int, gray: bool, norm: Callable[[np.ndarray], np.ndarray]):
    def make(image: np.ndarray) -> np.ndarray:
        h, w = image.shape[:2]
        box = np.array([[w / 3, h / 3, 2 * w / 3, 2 * h / 3]], np.float32)
        return norm(square_crops(image, box, scale, size, gray=gray).pixels[0])

    return make


# net -> (clip whose frames it sees, input maker from a BGR frame), as the features make them
INPUTS: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {
    "ssdlite_person": ("vtest", SSDLITE.make),
    "blazeface": ("megamind", BLAZEFACE.make),
    "selfie_segmentation": ("megamind", SELFIE.make),
    "fer_emotion": (
        "megamind",
        _centre_crop(1.2, 64, True, lambda p: p.astype(np.float32) * (2 / 255.0) - 1.0),
    ),
    "face_mesh": ("megamind", _centre_crop(1.5, 192, False, lambda p: p.astype(np.float32) / 255)),
    "pose_landmark": (
        "vtest",
        _centre_crop(1.25, 256, False, lambda p: p.astype(np.float32) / 255),
    ),
}


def session(net: str, spinning: bool) -> ort.InferenceSession:
    ort.set_default_logger_severity(3)  # overwriting the backend's spinning entry warns
    backend = load_module(BACKEND, "framegraph_bench_backend")
    config = load_config(net)
    options = backend._session_options(config)
    if spinning:
        options.add_session_config_entry("session.intra_op.allow_spinning", "1")
    path = default_model_repository() / net / "1" / "model.onnx"
    return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


def frames_of(clip: Clip, n: int = 16) -> list[np.ndarray]:
    return [
        cv2.imdecode(np.frombuffer(base64.b64decode(clip.line(k)), np.uint8), cv2.IMREAD_COLOR)
        for k in range(0, len(clip), max(1, len(clip) // n))
    ][:n]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(
    sess: ort.InferenceSession, inputs: np.ndarray, batch: int, seconds: float
) -> tuple[float, float]:
    """(images per second, CPU ms per image) at this batch size: the best of three rounds.

    The best round, because on a shared machine other load can only slow a round down.
    """
    name = sess.get_inputs()[0].name
    x = np.ascontiguousarray(np.resize(inputs, (batch, *inputs.shape[1:])))
    for _ in range(2):
        sess.run(None, {name: x})
    best = (0.0, 0.0)
    for _ in range(3):
        runs, start, cpu = 0, time.perf_counter(), _cpu()
        while runs < 2 or time.perf_counter() - start < seconds / 3:
            sess.run(None, {name: x})
            runs += 1
        images = batch * runs
        fps = images / (time.perf_counter() - start)
        if fps > best[0]:
            best = (fps, 1000 * (_cpu() - cpu) / images)
    return best


def run(nets: list[str], batches: list[int], seconds: float) -> dict[str, Any]:
    clips: dict[str, Clip] = {}
    out: dict[str, Any] = {}
    for net in nets:
        clip_name, make = INPUTS[net]
        clip = clips.setdefault(clip_name, Clip.load(clip_name))
        inputs = np.stack([make(f) for f in frames_of(clip)])
        table: dict[str, dict[str, float]] = {}
        cpu: dict[tuple[str, str], float] = {}
        for spinning in (False, True):
            sess = session(net, spinning)
            label = "server options + spinning" if spinning else "server options"
            table[label] = {}
            for b in batches:
                fps, cpu_ms = measure(sess, inputs, b, seconds)
                table[label][str(b)] = round(fps, 2)
                cpu[label, str(b)] = round(cpu_ms, 3)
            del sess
        best_label, best_batch, best = max(
            ((label, b, fps) for label, row in table.items() for b, fps in row.items()),
            key=lambda t: t[2],
        )
        out[net] = {
            "fps": table,
            "best_fps": best,
            "best_batch": int(best_batch),
            "best_options": best_label,
            "cpu_ms_per_image_at_best": cpu[best_label, best_batch],
            "batch1_fps": table["server options"][str(batches[0])] if batches else None,
        }
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nets", required=True)
    parser.add_argument("--batches", default="1,4,8,16")
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args(argv)
    batches = [int(b) for b in args.batches.split(",")]
    out = run(args.nets.split(","), batches, args.seconds)
    sys.stdout.write(orjson.dumps(out).decode() + "\n")


if __name__ == "__main__":
    main()
