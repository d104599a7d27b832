"""CPU per frame of a reduced JPEG decode (OpenCV, 1/1, 1/2, 1/4, 1/8), and of the full decode
plus the resize it replaces.

Usage: python scripts/bench_reduced.py [--rounds 5] [--frames 40]

Two sets: the vtest frames (768x576) and the same frames upscaled to 1920x1080 and re-encoded at
quality 90 (a 1080p-class camera frame; upscaled content is smoother than a real camera's, so
its entropy decoding, which no reduction skips, is somewhat cheaper). The factors are timed
alternately within each round (thread CPU time), so drift on a shared machine hits them alike;
the median of the rounds is printed as a Markdown table. The allocator is tuned as in the
worker (`orchestrator.stream.process.tune`): with glibc's defaults every full frame is a fresh
`mmap`, and its page faults would be counted against the full decode.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestrator.stream.process import tune  # noqa: E402

FLAGS = {
    1: cv2.IMREAD_COLOR,
    2: cv2.IMREAD_REDUCED_COLOR_2,
    4: cv2.IMREAD_REDUCED_COLOR_4,
    8: cv2.IMREAD_REDUCED_COLOR_8,
}


def cpu_ms(frames: list[np.ndarray], factor: int, resize: bool) -> float:
    """Thread CPU per frame: decode at 1/factor, or (resize) decode whole and area-resize."""
    start = time.thread_time()
    for data in frames:
        if resize:
            full = cv2.imdecode(data, cv2.IMREAD_COLOR)
            h, w = full.shape[:2]
            cv2.resize(full, (-(-w // factor), -(-h // factor)), interpolation=cv2.INTER_AREA)
        else:
            cv2.imdecode(data, FLAGS[factor])
    return 1000 * (time.thread_time() - start) / len(frames)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--frames", type=int, default=40)
    args = parser.parse_args()
    cv2.setNumThreads(1)
    tune()
    paths = sorted((ROOT / "samples/vtest").glob("*.jpg"))[: args.frames]
    vtest = [np.fromfile(p, np.uint8) for p in paths]
    hd = [
        cv2.imencode(
            ".jpg",
            cv2.resize(cv2.imdecode(d, 1), (1920, 1080), interpolation=cv2.INTER_CUBIC),
            [cv2.IMWRITE_JPEG_QUALITY, 90],
        )[1]
        for d in vtest
    ]
    print("| frames | 1/1 | 1/2 | 1/4 | 1/8 | 1/1 + resize to 1/2 | to 1/4 | to 1/8 |")
    print("|---|---|---|---|---|---|---|---|")
    for name, frames in (("vtest 768x576", vtest), ("1920x1080 q90", hd)):
        runs: dict[tuple[int, bool], list[float]] = {}
        cpu_ms(frames, 1, False)  # warm-up: caches, allocator, libjpeg's tables
        for _ in range(args.rounds):
            for key in [(f, False) for f in FLAGS] + [(f, True) for f in (2, 4, 8)]:
                runs.setdefault(key, []).append(cpu_ms(frames, *key))
        ms = {k: statistics.median(v) for k, v in runs.items()}
        cells = [f"{ms[(f, False)]:.2f}" for f in FLAGS]
        cells += [f"{ms[(f, True)]:.2f}" for f in (2, 4, 8)]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
