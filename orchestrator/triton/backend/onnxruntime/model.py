"""A Python-based Triton backend named `onnxruntime`: ONNX models on CPU in the embedded server.

The Triton build bundled in `nvidia-pytriton` has no ONNX Runtime backend. Triton serves every
model whose config says `backend: "onnxruntime"` with `<backends>/onnxruntime/model.py` when no
`libtriton_onnxruntime.so` is there, so this file stands in for it and the model repository stays
loadable unchanged by NVIDIA's official container, whose native backend takes over there.

It honours what the native backend reads from config.pbtxt: the declared inputs and outputs
(only those outputs are fetched), `reshape`, `max_batch_size`, `default_model_filename` and the
`intra_op_thread_count` / `inter_op_thread_count` parameters. All requests of a dynamic batch are
concatenated along dim 0, run once, and split back; a bad request fails alone.

On a machine with `onnxruntime-gpu` and a CUDA device it runs the nets with the CUDA execution
provider (on the instance's device, CPU as fallback for unsupported nodes), otherwise on the
CPU; one log line per model says which and why (`FRAMEGRAPH_ORT_PROVIDER=cpu` forces the CPU).
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import onnxruntime as ort
import triton_python_backend_utils as pb_utils

# Environment fallback for the intra-op thread count when config.pbtxt does not set it.
THREADS_ENV = "FRAMEGRAPH_ORT_THREADS"
PROVIDER_ENV = "FRAMEGRAPH_ORT_PROVIDER"  # auto (default) or cpu
CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"


def cuda_devices() -> int:
    """CUDA devices visible here, asked of the driver itself (0 without one, or on any error).

    The same check as the worker's decoder choice; this file stays self-contained because
    Triton's stub loads it alone.
    """
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


def choose_providers(
    available: Sequence[str], devices: int, device_id: int = 0, wanted: str = "auto"
) -> tuple[list[Any], str]:
    """(execution providers for the session, why) for what this machine has."""
    if wanted == "cpu":
        return [CPU], f"{PROVIDER_ENV}=cpu"
    if CUDA not in available:
        return [CPU], "no CUDA execution provider in this onnxruntime (onnxruntime-gpu absent)"
    if devices <= 0:
        return [CPU], "no CUDA device is visible"
    device = device_id if 0 <= device_id < devices else 0
    return [(CUDA, {"device_id": device}), CPU], f"CUDA device {device} of {devices}"


def _log(message: str) -> None:
    logger = getattr(pb_utils, "Logger", None)
    if logger is not None:
        logger.log_info(message)
    else:  # outside Triton (the benchmark's in-process loop)
        print(message, file=sys.stderr)


@dataclass(frozen=True)
class _Tensor:
    """One config.pbtxt tensor: the shape Triton sees (`dims`) and the one ONNX sees."""

    name: str
    dtype: np.dtype
    dims: tuple[int, ...]
    model_dims: tuple[int, ...]

    @classmethod
    def from_config(cls, entry: dict) -> _Tensor:
        dims = tuple(int(d) for d in entry["dims"])
        reshape = entry.get("reshape")
        model_dims = tuple(int(d) for d in reshape["shape"]) if reshape else dims
        dtype = pb_utils.triton_string_to_numpy(entry["data_type"])
        return cls(entry["name"], np.dtype(dtype), dims, model_dims)


def _parameter(config: dict, key: str) -> str | None:
    value = config.get("parameters", {}).get(key, {}).get("string_value", "")
    return value or None


def _default_threads() -> int:
    # Several models share a small machine: a few threads each, and no spinning (see below).
    return max(1, min(4, os.cpu_count() or 1))


def _session_options(config: dict) -> ort.SessionOptions:
    options = ort.SessionOptions()
    intra = _parameter(config, "intra_op_thread_count") or os.environ.get(THREADS_ENV)
    inter = _parameter(config, "inter_op_thread_count")
    options.intra_op_num_threads = int(intra) if intra else _default_threads()
    options.inter_op_num_threads = int(inter) if inter else 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only: the converted graphs warn about unused nodes
    # ONNX Runtime's CPU arena keeps every peak allocation: with dynamic batching its size
    # follows the largest batch seen (pose, 80 batches of 1-16 crops in-process: 630 MB with
    # the arena, 166 MB without). Without it every large buffer is fresh memory at every
    # execution, and the full benchmark measured the cost: server CPU per person frame
    # 19 -> 34 ms at batch 11, 8-stream throughput 77 -> 47 fps (server RSS 2.6 -> 1.7 GB).
    # So the arena stays on (its peak is bounded by max_batch_size); a memory-tight
    # deployment sets parameter `cpu_mem_arena` to "false" in config.pbtxt.
    arena = (_parameter(config, "cpu_mem_arena") or "true").lower() == "true"
    options.enable_cpu_mem_arena = arena
    options.enable_mem_pattern = arena
    # Idle spinning threads of a dozen sessions would eat a 2-core machine between batches.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return options


def _model_path(args: dict, config: dict) -> str:
    filename = config.get("default_model_filename") or ""
    if not filename.endswith(".onnx"):  # Triton fills in "model.py" for Python-based backends
        filename = "model.onnx"
    return os.path.join(args["model_repository"], args["model_version"], filename)


def _error_response(message: str) -> pb_utils.InferenceResponse:
    return pb_utils.InferenceResponse(output_tensors=[], error=pb_utils.TritonError(message))


class TritonPythonModel:
    """Runs one ONNX file with onnxruntime (CPU) for one Triton model instance."""

    def initialize(self, args: dict) -> None:
        config = json.loads(args["model_config"])
        self.name = args["model_name"]
        self.batching = int(config.get("max_batch_size", 0)) > 0
        self.inputs = [_Tensor.from_config(t) for t in config.get("input", [])]
        self.outputs = [_Tensor.from_config(t) for t in config.get("output", [])]
        path = _model_path(args, config)
        on_gpu = args.get("model_instance_kind") == "GPU"
        providers, why = choose_providers(
            ort.get_available_providers(),
            cuda_devices(),
            int(args.get("model_instance_device_id") or 0) if on_gpu else 0,
            os.environ.get(PROVIDER_ENV, "auto").lower(),
        )
        self.session = ort.InferenceSession(
            path, sess_options=_session_options(config), providers=providers
        )
        used = self.session.get_providers()
        if providers[0] != CPU and used[0] != CUDA:  # e.g. cuDNN missing: onnxruntime fell back
            why = f"CUDA was available but could not be used ({why}); check the CUDA libraries"
        self.provider = used[0]
        _log(f"framegraph onnxruntime backend: {self.name} runs on {used[0]} ({why})")
        graph_inputs = {i.name for i in self.session.get_inputs()}
        graph_outputs = {o.name for o in self.session.get_outputs()}
        missing = [t.name for t in self.inputs if t.name not in graph_inputs]
        missing += [t.name for t in self.outputs if t.name not in graph_outputs]
        if missing:
            raise pb_utils.TritonModelException(
                f"{self.name}: config names {missing} are not in {path} "
                f"(graph inputs {sorted(graph_inputs)}, outputs {sorted(graph_outputs)})"
            )
        self.output_names = [t.name for t in self.outputs]

    def _feeds(self, request: pb_utils.InferenceRequest) -> dict[str, np.ndarray]:
        feeds = {}
        for spec in self.inputs:
            tensor = pb_utils.get_input_tensor_by_name(request, spec.name)
            if tensor is None:
                raise ValueError(f"{self.name}: input {spec.name!r} is missing")
            feeds[spec.name] = tensor.as_numpy()
        return feeds

    def _run(self, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        """One session run; inputs and outputs in Triton's shape, with the batch dim if any."""
        lead = 1 if self.batching else 0
        model_feeds = {}
        for spec in self.inputs:
            array = feeds[spec.name]
            shape = array.shape[:lead] + spec.model_dims
            model_feeds[spec.name] = np.ascontiguousarray(array.reshape(shape), dtype=spec.dtype)
        results = self.session.run(self.output_names, model_feeds)
        out = []
        for spec, array in zip(self.outputs, results, strict=True):
            shape = array.shape[:lead] + spec.dims if spec.dims != spec.model_dims else array.shape
            out.append(np.asarray(array, dtype=spec.dtype).reshape(shape))
        return out

    def execute(self, requests: list) -> list:
        responses: list = [None] * len(requests)
        good: list[tuple[int, dict[str, np.ndarray]]] = []
        for i, request in enumerate(requests):
            try:
                good.append((i, self._feeds(request)))
            except Exception as exc:
                responses[i] = _error_response(str(exc))
        if not good:
            return responses
        if not self.batching or len(good) == 1:
            for i, feeds in good:
                responses[i] = self._respond(feeds)
            return responses
        sizes = [next(iter(feeds.values())).shape[0] for _, feeds in good]
        try:
            batch = {t.name: np.concatenate([f[t.name] for _, f in good]) for t in self.inputs}
            results = self._run(batch)
        except Exception:  # run them one by one, so that only the culprit fails
            for i, feeds in good:
                responses[i] = self._respond(feeds)
            return responses
        bounds = np.cumsum(sizes)[:-1]
        parts = [np.split(array, bounds) for array in results]
        for k, (i, _) in enumerate(good):
            tensors = [
                pb_utils.Tensor(spec.name, np.ascontiguousarray(part[k]))
                for spec, part in zip(self.outputs, parts, strict=True)
            ]
            responses[i] = pb_utils.InferenceResponse(output_tensors=tensors)
        return responses

    def _respond(self, feeds: dict[str, np.ndarray]) -> pb_utils.InferenceResponse:
        try:
            results = self._run(feeds)
        except Exception as exc:
            return _error_response(f"{self.name}: onnxruntime failed: {exc}")
        tensors = [pb_utils.Tensor(s.name, a) for s, a in zip(self.outputs, results, strict=True)]
        return pb_utils.InferenceResponse(output_tensors=tensors)

    def finalize(self) -> None:
        self.session = None
