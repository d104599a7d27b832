"""The GPU decoder: NVIDIA DALI, nvJPEG through `device="mixed"`, model inputs made on the GPU.

One DALI pipeline per set of requested model inputs decodes the frames queued in the worker
as one batch and, in the same graph, makes every input the plan's nets need (resize or
letterbox, BGR→RGB, scale/offset), so the full frame goes to the host once and is never
copied back. The graph mirrors `FrameInput.make` step by step (resize in uint8 with linear
interpolation and no antialias, centred black padding, then normalisation) so that both
decoders agree within one grey level (docs/decoding.md).

Streaming settings (FACTS.md): `exec_dynamic=True` and `prefetch_queue_depth=1`, and each
run is fed exactly the frames that are queued. DALI fails a whole batch for one corrupt frame;
the batch is then retried frame by frame so that only the bad frame gets its error.

Reduced decode is not done here: nvJPEG has no DCT-domain scaling (its ROI decode crops, it
does not scale), so a reduction would be a full decode plus a GPU resize. On the GPU the
decode is not what the worker pays for, and the model inputs are already resized on the
device from the full frame; a smaller host copy would save only the device-to-host copy and
the CPU features' own resizes, at the cost of one pipeline per factor mix. So the allowed
reductions are ignored and every frame is returned whole (`Decoded.reduction == 1`), which
the decoder contract permits.

`device="cpu"` (with `device_id=None`) runs the same graph on the CPU: that is how it is tested
where no GPU is lent, and how `--decoder dali` behaves on a machine without one. DALI is an
optional extra, imported only when this decoder is made.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import cv2
import numpy as np

from orchestrator.decode.base import INSTALL_HINT, Decoded, DecodeError, DecoderUnavailable
from orchestrator.models import FrameInput

_ENCODED = "encoded"
_SpecKey = tuple[tuple[str, FrameInput], ...]  # (input node, spec), in the plan's order


def _import_dali() -> None:
    try:
        import nvidia.dali  # noqa: F401  (the package; submodules are imported where used)
    except ImportError as exc:
        raise DecoderUnavailable(
            f"the DALI decoder needs NVIDIA DALI, which is not installed ({exc}). "
            f"Install the GPU extra: {INSTALL_HINT}"
        ) from None


def _round_half_even(x: Any) -> Any:
    """Python's `round()` in a DALI graph on float64 nodes, so letterbox sizes match exactly."""
    import nvidia.dali.math as dmath

    whole = dmath.floor(x)
    frac = x - whole
    odd = whole - 2.0 * dmath.floor(whole / 2.0)
    return whole + (frac > 0.5) + (frac == 0.5) * odd


def _model_input(frame: Any, spec: FrameInput) -> Any:
    """The graph for one `FrameInput`: the DALI counterpart of `FrameInput.make`."""
    import nvidia.dali.math as dmath
    from nvidia.dali import fn, types

    side = float(spec.size)
    if spec.fit == "stretch":
        width = height = side
    else:  # size of the frame inside the box, as FrameInput.letterbox + make compute it
        shape = frame.shape(dtype=types.FLOAT64)
        scale = side / dmath.max(shape[0], shape[1])
        width = fn.cast(_round_half_even(shape[1] * scale), dtype=types.FLOAT)
        height = fn.cast(_round_half_even(shape[0] * scale), dtype=types.FLOAT)
    resized = fn.resize(
        frame,
        resize_x=width,
        resize_y=height,
        interp_type=types.INTERP_LINEAR,
        antialias=False,  # what cv2.INTER_LINEAR does
    )
    rgb = fn.color_space_conversion(resized, image_type=types.BGR, output_type=types.RGB)
    if spec.dtype == "uint8":  # like FrameInput.make, uint8 inputs ignore scale and offset
        mean, std, fill, dtype = 0.0, 1.0, 0.0, types.UINT8
    else:  # (pixel - mean) / std == pixel * scale + offset; padding is normalised black
        mean, std = -spec.offset / spec.scale, 1.0 / spec.scale
        fill, dtype = spec.offset, types.FLOAT
    # A centred crop larger than the image pads it; truncating the (negative) start gives the
    # same top/left padding as (size - inner) // 2 in FrameInput.make.
    return fn.crop_mirror_normalize(
        rgb,
        crop=(side, side),
        crop_pos_x=0.5,
        crop_pos_y=0.5,
        rounding="truncate",
        out_of_bounds_policy="pad",
        fill_values=fill,
        mean=mean,
        std=std,
        dtype=dtype,
        output_layout="HWC",
    )


def _probe_jpeg() -> bytes:
    """A tiny valid JPEG, made here, to warm a pipeline up and to check that it still works."""
    ok, buf = cv2.imencode(".jpg", np.full((16, 16, 3), 128, np.uint8))
    assert ok
    return buf.tobytes()


class DaliDecoder:
    """Decodes batches with DALI and makes the requested model inputs in the same pipeline."""

    def __init__(
        self,
        device: Literal["cpu", "mixed"] = "mixed",
        max_batch: int = 16,
        device_id: int | None = None,
        num_threads: int | None = None,
        max_pipelines: int = 4,
    ) -> None:
        if device not in ("cpu", "mixed"):
            raise ValueError(f"DALI device must be 'cpu' or 'mixed', not {device!r}")
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        _import_dali()
        self.device = device
        self.name = f"dali-{device}"
        self.max_batch = max_batch
        # A CPU-only pipeline needs device_id=None in DALI 2.4 (FACTS.md).
        self.device_id = None if device == "cpu" else (0 if device_id is None else device_id)
        self.num_threads = num_threads or min(4, os.cpu_count() or 1)
        self._max_pipelines = max_pipelines
        self._pipelines: OrderedDict[_SpecKey, Any] = OrderedDict()
        self._lock = threading.Lock()  # a DALI pipeline runs one batch at a time
        self._probe = _probe_jpeg()
        try:  # fail now, not at the first frame, if DALI cannot run here (no GPU, no nvJPEG)
            with self._lock:
                self._run((), [self._probe])
        except Exception as exc:  # DALI reports a missing GPU or library in several ways
            raise DecoderUnavailable(f"DALI ({device}) cannot run here: {_summary(exc)}") from exc

    def decode(
        self,
        payloads: Sequence[bytes],
        inputs: Mapping[str, FrameInput] | None = None,
        reductions: Sequence[int] | None = None,
    ) -> list[Decoded | DecodeError]:
        """Full-size frames whatever `reductions` allow (nvJPEG cannot scale: module doc)."""
        key = tuple((inputs or {}).items())
        out: list[Decoded | DecodeError] = []
        with self._lock:
            for start in range(0, len(payloads), self.max_batch):
                out.extend(self._decode_batch(payloads[start : start + self.max_batch], key))
        return out

    def close(self) -> None:
        with self._lock:
            self._pipelines.clear()

    def _decode_batch(self, batch: Sequence[bytes], key: _SpecKey) -> list[Decoded | DecodeError]:
        try:
            return self._run(key, batch)
        except RuntimeError as exc:
            if len(batch) == 1:
                return [self._failed(key, exc)]
        # One bad frame fails the whole batch: find it by decoding frame by frame.
        return [self._decode_one(data, key) for data in batch]

    def _decode_one(self, data: bytes, key: _SpecKey) -> Decoded | DecodeError:
        try:
            return self._run(key, [data])[0]
        except RuntimeError as exc:
            return self._failed(key, exc)

    def _failed(self, key: _SpecKey, exc: RuntimeError) -> DecodeError:
        """The error outcome of a frame DALI could not decode; the pipeline made fit to go on."""
        # exec_dynamic pipelines recover after a failed run; should this one not, replace it.
        try:
            self._run(key, [self._probe])
        except RuntimeError:
            self._pipelines.pop(key, None)
        return DecodeError("corrupt", f"image data could not be decoded (DALI: {_summary(exc)})")

    def _run(self, key: _SpecKey, batch: Sequence[bytes]) -> list[Decoded | DecodeError]:
        pipe = self._pipeline(key)
        pipe.feed_input(_ENCODED, [np.frombuffer(data, np.uint8) for data in batch])
        frames, *tensors = (self._host_samples(out) for out in pipe.run())
        inputs = dict(zip((name for name, _ in key), tensors, strict=True))
        return [
            Decoded(image=frames[i], inputs={name: t[i] for name, t in inputs.items()})
            for i in range(len(batch))
        ]

    def _host_samples(self, out: Any) -> list[np.ndarray] | np.ndarray:
        """A batch output as host arrays owned by Python (DALI reuses its buffers)."""
        if self.device == "mixed":
            out = out.as_cpu()
        if out.is_dense_tensor():
            return out.as_array()  # one copy for the whole batch
        return [np.array(out[i]) for i in range(len(out))]

    def _pipeline(self, key: _SpecKey) -> Any:
        pipe = self._pipelines.get(key)
        if pipe is None:
            pipe = self._build(key)
            self._pipelines[key] = pipe
            if len(self._pipelines) > self._max_pipelines:  # the plan changed: drop the oldest
                self._pipelines.popitem(last=False)
        self._pipelines.move_to_end(key)
        return pipe

    def _build(self, specs: _SpecKey) -> Any:
        from nvidia.dali import fn, pipeline_def, types

        @pipeline_def(
            batch_size=self.max_batch,
            num_threads=self.num_threads,
            device_id=self.device_id,
            exec_dynamic=True,
            prefetch_queue_depth=1,
        )
        def graph() -> tuple[Any, ...]:
            encoded = fn.external_source(name=_ENCODED, dtype=types.UINT8, ndim=1)
            frame = fn.decoders.image(
                encoded,
                device=self.device,
                output_type=types.BGR,
                jpeg_fancy_upsampling=True,  # nvJPEG upsamples chroma like libjpeg-turbo
            )
            return (frame, *(_model_input(frame, spec) for _, spec in specs))

        pipe = graph()
        pipe.build()
        return pipe


def _summary(exc: BaseException) -> str:
    """DALI's long error text cut to its cause (what follows "encountered:" in it)."""
    cause = str(exc).split("encountered:", 1)[-1]
    lines = [line.strip() for line in cause.splitlines() if line.strip()]
    return (lines[0].rstrip(" :") if lines else type(exc).__name__)[:300]
