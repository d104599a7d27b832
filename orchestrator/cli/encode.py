"""`framegraph encode`: a video, camera or folder of images to the stdin format.

With `--fps` the output is paced like a camera's. Its clock starts when the reader has
taken the first frame, not when the encoder starts: `framegraph encode --fps 10 clip |
framegraph run` then shows every frame, however long the worker took to get ready (an
embedded Triton starting, models loading), instead of bursting the frames it would have
sent meanwhile into a worker that must drop them. A real camera (`encode rtsp://...`)
produces frames in real time whatever the reader does; pacing is for files and folders,
and live mode's dropping of stale frames is unchanged.
"""

from __future__ import annotations

import array
import base64
import fcntl
import os
import select
import stat
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import click
import cv2
from tqdm import tqdm

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}


def _folder(path: Path) -> tuple[int, Iterator[bytes]]:
    """Encoded image files as they are, in name order: no needless re-encoding."""
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    return len(files), (p.read_bytes() for p in files)


def _video(source: str, quality: int) -> tuple[int, float, Iterator[bytes]]:
    cap = cv2.VideoCapture(int(source) if source.isdigit() else source)
    if not cap.isOpened():
        raise click.BadParameter(
            f"cannot open {source!r} as a video or camera", param_hint="SOURCE"
        )
    total = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 0)

    def frames() -> Iterator[bytes]:
        try:
            while True:
                ok, frame = cap.read()
                if not ok:
                    return
                ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
                if ok:
                    yield buf.tobytes()
        finally:
            cap.release()

    return total, fps, frames()


def wait_until_taken(out: BinaryIO, poll_ms: int = 10) -> None:
    """Return once the reader has taken everything written to `out` so far (a pipe: its
    buffer is empty), or has gone away; at once for files, terminals and where unknown."""
    try:
        fd = out.fileno()
        if not stat.S_ISFIFO(os.fstat(fd).st_mode):
            return
    except (OSError, ValueError):
        return
    gone = select.poll()
    gone.register(fd, 0)  # POLLERR / POLLHUP only: the reader closed its end
    pending = array.array("i", [0])
    while True:
        try:
            fcntl.ioctl(fd, termios.FIONREAD, pending, True)  # bytes still in the pipe
        except OSError:
            return
        if pending[0] == 0 or gone.poll(poll_ms):
            return


@click.command("encode")
@click.argument("source")
@click.option("--max-frames", type=click.IntRange(1), help="Stop after this many frames.")
@click.option(
    "--fps",
    type=click.FloatRange(min=0, min_open=True),
    help="Pace output in real time at this rate, like a camera.",
)
@click.option(
    "--quality",
    type=click.IntRange(1, 100),
    default=85,
    show_default=True,
    help="JPEG quality when (re-)encoding video frames.",
)
@click.option("--urlsafe", is_flag=True, help="URL-safe base64 alphabet.")
def encode_command(
    source: str, max_frames: int | None, fps: float | None, quality: int, urlsafe: bool
) -> None:
    """Write SOURCE (video file, camera index, stream URL or folder of images) as base64 lines."""
    path = Path(source)
    if path.is_dir():
        total, frames = _folder(path)
    else:
        total, _, frames = _video(source, quality)
    if max_frames:
        total = min(total, max_frames) if total else max_frames
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    out = sys.stdout.buffer
    bar = tqdm(total=total or None, unit="frame", file=sys.stderr, disable=bool(fps) or None)
    start = time.perf_counter()
    try:
        for i, data in enumerate(frames):
            if max_frames and i >= max_frames:
                break
            if fps:
                delay = start + i / fps - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            out.write(encode(data) + b"\n")
            if fps:
                out.flush()
                if i == 0:  # the camera starts when someone watches
                    wait_until_taken(out)
                    start = time.perf_counter()
            bar.update()
        out.flush()
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away; nothing more to say
    finally:
        bar.close()
