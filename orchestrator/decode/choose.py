"""Which decoder a worker uses: `--decoder auto|opencv|dali`.

`auto` takes DALI with nvJPEG (`device="mixed"`) when DALI is installed and a CUDA device is
visible, and OpenCV otherwise: on a CPU OpenCV decodes faster than DALI (FACTS.md).

The GPU is detected by asking the CUDA driver itself (`libcuda`, through ctypes): it costs
microseconds, needs no package, honours `CUDA_VISIBLE_DEVICES`, and a machine without a
driver simply has no `libcuda` to load. Asking DALI (`backend.GetCUDADeviceCount`) would
load its ~1 GB of libraries first; NVML would need another package and ignores
`CUDA_VISIBLE_DEVICES`. DALI's presence is checked first, without importing it, so the
driver is not touched at all on machines that could not use it.
"""

from __future__ import annotations

import ctypes
import importlib.util
import logging
from typing import Literal

from orchestrator.decode.base import INSTALL_HINT, Decoder, DecoderUnavailable

CHOICES = ("auto", "opencv", "dali")

log = logging.getLogger(__name__)



def dali_installed() -> bool:
    """Whether NVIDIA DALI can be imported, found without importing it."""
    try:
        return importlib.util.find_spec("nvidia.dali") is not None
    except (ImportError, ValueError):
        return False


def cuda_device_count() -> int:
    """CUDA devices visible to this process: 0 without a driver, a device, or on any error."""
    for name in ("libcuda.so.1", "libcuda.so"):
        try:
            cuda = ctypes.CDLL(name)
        except OSError:
            continue
        count = ctypes.c_int(0)
        if cuda.cuInit(0) != 0 or cuda.cuDeviceGetCount(ctypes.byref(count)) != 0:
            return 0
        return count.value
    return 0


def auto_choice() -> tuple[str, str]:
    """What `auto` picks here, and why, in words fit for a log line or --stats."""
    if not dali_installed():
        return "opencv", f"DALI is not installed ({INSTALL_HINT} for GPU decoding)"
    if cuda_device_count() == 0:
        return "opencv", "no CUDA device is visible; OpenCV is the faster CPU decoder"
    return "dali", "DALI and a CUDA device are present: nvJPEG (device='mixed')"


def make_decoder(
    choice: str = "auto",
    *,
    max_batch: int | None = None,
    device: str | None = None,
    device_id: int | None = None,
    num_threads: int | None = None,
) -> Decoder:
    """The decoder for `--decoder CHOICE`.

    `dali` uses the GPU when one is visible and DALI's CPU backend otherwise (slower than
    OpenCV, but the same graph); `device` forces "cpu" or "mixed". `auto` falls back to
    OpenCV, with a warning, if DALI is present but cannot start on the GPU.
    Raises `DecoderUnavailable` for `dali` when DALI is missing or cannot run.
    """
    if choice not in CHOICES:
        raise ValueError(f"unknown decoder {choice!r}; choose one of {', '.join(CHOICES)}")
    if choice == "opencv":
        return _opencv(max_batch)
    auto = choice == "auto"
    if auto:
        picked, reason = auto_choice()
        log.info("decoder auto: %s (%s)", picked, reason)
        if picked == "opencv":
            return _opencv(max_batch)
        device = "mixed"
    elif not dali_installed():
        raise DecoderUnavailable(f"--decoder dali needs NVIDIA DALI, not installed: {INSTALL_HINT}")
    from orchestrator.decode.dali import DaliDecoder

    wanted = device or ("mixed" if cuda_device_count() else "cpu")
    if wanted not in ("cpu", "mixed"):
        raise ValueError(f"DALI device must be 'cpu' or 'mixed', not {wanted!r}")
    dali_device: Literal["cpu", "mixed"] = "mixed" if wanted == "mixed" else "cpu"
    options = {"max_batch": max_batch, "device_id": device_id, "num_threads": num_threads}
    try:
        return DaliDecoder(dali_device, **{k: v for k, v in options.items() if v is not None})
    except DecoderUnavailable as exc:
        if not auto:
            raise
        log.warning("decoder auto: DALI could not start on the GPU (%s); using OpenCV", exc)
        return _opencv(max_batch)


def _opencv(max_batch: int | None) -> Decoder:
    from orchestrator.decode.opencv import OpenCVDecoder

    decoder = OpenCVDecoder()
    if max_batch is not None:
        decoder.max_batch = max_batch
    return decoder
