"""Decode rate of OpenCV vs DALI (CPU, and nvJPEG `mixed` when a CUDA device is visible).

Usage: python scripts/bench_decode.py [--batch 1,8,16] [--rounds 3] [--decoders ...] [DIR ...]

Decodes the sample frames (default: samples/vtest and samples/megamind) in batches, the way
the worker calls `Decoder.decode`, twice per decoder: the frame alone, and the frame plus the
three frame-level model inputs (OpenCV makes those with `FrameInput.make` after decoding, as
the worker does; DALI makes them inside its pipeline). Prints a Markdown table of frames per
second and ms per frame (median of the rounds), and how far each decoder's pixels and inputs
are from OpenCV's in grey levels, ready for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestrator.decode.base import Decoded, Decoder  # noqa: E402
from orchestrator.decode.choose import cuda_device_count, dali_installed  # noqa: E402
from orchestrator.decode.opencv import OpenCVDecoder  # noqa: E402
from orchestrator.features import default_catalog  # noqa: E402
from orchestrator.models import FrameInput  # noqa: E402

Specs = Mapping[str, FrameInput]
FRAME_INPUTS: Specs = {  # every whole-frame model input of the catalog, by plan node
    m.input_node: m.frame_input for m in default_catalog().models() if m.frame_input is not None
}


def make(name: str, max_batch: int) -> Decoder:
    if name == "opencv":
        decoder = OpenCVDecoder()
        decoder.max_batch = max_batch
        return decoder
    from orchestrator.decode.dali import DaliDecoder

    return DaliDecoder(name.removeprefix("dali-"), max_batch=max_batch)  # type: ignore[arg-type]


def decode_all(
    decoder: Decoder, frames: Sequence[bytes], batch: int, specs: Specs
) -> list[Decoded]:
    out: list[Decoded] = []
    for start in range(0, len(frames), batch):
        results = decoder.decode(frames[start : start + batch], specs)
        for result in results:
            assert isinstance(result, Decoded), result
            if specs and decoder.name == "opencv":  # the worker makes them after decoding
                result.inputs = {name: spec.make(result.image) for name, spec in specs.items()}
            out.append(result)
    return out


def timed(
    decoder: Decoder, frames: Sequence[bytes], batch: int, specs: Specs, rounds: int
) -> float:
    """Median seconds per frame over `rounds` passes, after one warm-up pass."""
    decode_all(decoder, frames, batch, specs)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        decode_all(decoder, frames, batch, specs)
        times.append((time.perf_counter() - start) / len(frames))
    return statistics.median(times)


def levels(pairs: Iterable[tuple[np.ndarray, np.ndarray]], step: float) -> np.ndarray:
    return np.concatenate([np.abs(x.astype(np.float64) - y).ravel() for x, y in pairs]) / step


def distance(got: list[Decoded], ref: list[Decoded]) -> str:
    """Max and mean absolute difference from OpenCV, in grey levels, frames and inputs."""
    both = list(zip(got, ref, strict=True))
    diffs = {"frame": levels(((g.image, r.image) for g, r in both), 1.0)}
    for name, spec in FRAME_INPUTS.items():
        step = 1.0 if spec.dtype == "uint8" else spec.scale
        pairs = ((g.inputs[name], r.inputs[name]) for g, r in both)
        diffs[name.removeprefix("input.")] = levels(pairs, step)
    return ", ".join(f"{k} {d.max():.2f}/{d.mean():.3f}" for k, d in diffs.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "dirs", nargs="*", type=Path, default=[ROOT / "samples/vtest", ROOT / "samples/megamind"]
    )
    parser.add_argument("--batch", default="1,8,16", help="batch sizes, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--decoders", default="", help="default: opencv,dali-cpu[,dali-mixed]")
    args = parser.parse_args()

    frames = [p.read_bytes() for d in args.dirs for p in sorted(d.glob("*.jpg"))]
    batches = [int(b) for b in args.batch.split(",")]
    gpus = cuda_device_count()
    names = args.decoders.split(",") if args.decoders else ["opencv"]
    if not args.decoders and dali_installed():
        names += ["dali-cpu"] + (["dali-mixed"] if gpus else [])

    print(
        f"{len(frames)} frames from {', '.join(d.name for d in args.dirs)}; "
        f"{platform.processor() or platform.machine()}, CUDA devices: {gpus}; "
        f"median of {args.rounds} rounds\n"
    )
    print(
        "| decoder | batch | decode only: frames/s (ms/frame) "
        "| decode + 3 inputs: frames/s (ms/frame) |"
    )
    print("|---|---:|---:|---:|")
    reference = decode_all(make("opencv", 8), frames, 8, FRAME_INPUTS)
    distances = {}
    for name in names:
        for batch in batches:
            decoder = make(name, batch)
            cells = []
            for specs in ({}, FRAME_INPUTS):
                seconds = timed(decoder, frames, batch, specs, args.rounds)
                cells.append(f"{1 / seconds:.0f} ({seconds * 1e3:.2f})")
            print(f"| {name} | {batch} | {cells[0]} | {cells[1]} |", flush=True)
            if name not in distances:
                distances[name] = distance(
                    decode_all(decoder, frames, batch, FRAME_INPUTS), reference
                )
            decoder.close()
    print("\nDifference from OpenCV, max/mean grey levels:")
    for name, text in distances.items():
        print(f"- {name}: {text}")


if __name__ == "__main__":
    main()
