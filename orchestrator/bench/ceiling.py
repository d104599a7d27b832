"""The ceiling: each bare ONNX net in onnxruntime at its best batch size on this machine.

Nothing else runs: no decode, no pre- or post-processing, no transport; just `session.run`
on ready inputs made from the sample frames, each as its model's declared input (crop nets
get crops of the frame centre: a CNN's speed does not depend on what the pixels show).
Sessions are built with the embedded server's own options (`backend/onnxruntime/model.py`:
intra-op threads, no spinning), and once more with spinning allowed, which a single
dedicated session would use; the ceiling is the best of all.
Run as `python -m orchestrator.bench.ceiling`.
"""

from __future__ import annotations

import argparse
import base64
import resource
import sys
import time

import cv2
import numpy as np
import onnxruntime as ort
import orjson

from orchestrator.bench.codec import to_json
from orchestrator.bench.inprocess import BACKEND, load_module
from orchestrator.bench.results import CeilingResult
from orchestrator.bench.workload import Clip
from orchestrator.features import default_catalog
from orchestrator.models import CropInput, Model
from orchestrator.triton.embedded import default_model_repository
from orchestrator.triton.repository import load_config, nets

CLIP = "vtest"  # a net's speed does not depend on what its pixels show


def model_of(net: str) -> Model:
    """The catalog's model (ensemble) that runs `net`."""
    for model in default_catalog().models():
        if net in nets(model.name):
            return model
    raise KeyError(f"no feature's model runs the net {net!r}")


def make_input(model: Model, image: np.ndarray) -> np.ndarray:
    """The net's input from a BGR frame, exactly as the worker makes it (crops: the frame's
    centre third, as a detection would be cropped)."""
    spec = model.input
    if isinstance(spec, CropInput):
        h, w = image.shape[:2]
        box = np.array([[w / 3, h / 3, 2 * w / 3, 2 * h / 3]], np.float32)
        return spec.make(image, box).pixels[0]
    return spec.make(image)


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


def run(names: list[str], batches: list[int], seconds: float) -> dict[str, CeilingResult]:
    frames = frames_of(Clip.load(CLIP))
    out: dict[str, CeilingResult] = {}
    for net in names:
        model = model_of(net)
        inputs = np.stack([make_input(model, f) for f in frames])
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
        out[net] = CeilingResult(
            fps=table,
            best_fps=best,
            best_batch=int(best_batch),
            best_options=best_label,
            cpu_ms_per_image_at_best=cpu[best_label, best_batch],
            batch1_fps=table["server options"][str(batches[0])] if batches else None,
        )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nets", required=True)
    parser.add_argument("--batches", default="1,4,8,16")
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args(argv)
    batches = [int(b) for b in args.batches.split(",")]
    out = run(args.nets.split(","), batches, args.seconds)
    sys.stdout.write(orjson.dumps(to_json(out)).decode() + "\n")


if __name__ == "__main__":
    main()
