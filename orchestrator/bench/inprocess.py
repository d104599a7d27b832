"""The model repository's ensembles, run in this process: the same code, minus the server.

The direct baseline must do the work Framegraph does, with the same models and the same
pre- and post-processing, only without Triton and the orchestrator. So rather than
re-implementing anchor decoding or NMS, it loads the very `model.py` files the server
loads (the `onnxruntime` backend for nets, the numpy post-processing models) against a
tiny stand-in for `triton_python_backend_utils`, and walks each ensemble's steps with its
`input_map` / `output_map`. One frame (or one frame's crops) per call, as a user would.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np

from orchestrator.models import Model, Outputs
from orchestrator.triton.embedded import default_model_repository
from orchestrator.triton.repository import load_config, steps

BACKEND = Path(__file__).resolve().parents[1] / "triton" / "backend" / "onnxruntime" / "model.py"
_NUMPY = {
    "TYPE_BOOL": np.bool_,
    "TYPE_UINT8": np.uint8,
    "TYPE_INT8": np.int8,
    "TYPE_INT16": np.int16,
    "TYPE_INT32": np.int32,
    "TYPE_INT64": np.int64,
    "TYPE_FP16": np.float16,
    "TYPE_FP32": np.float32,
    "TYPE_FP64": np.float64,
}


class _Tensor:
    def __init__(self, name: str, array: np.ndarray) -> None:
        self._name, self._array = name, np.asarray(array)

    def name(self) -> str:
        return self._name

    def as_numpy(self) -> np.ndarray:
        return self._array


class _Response:
    def __init__(self, output_tensors: list[_Tensor] | None = None, error: Any = None) -> None:
        self.tensors = output_tensors or []
        self.error = error


class _Request:
    def __init__(self, tensors: dict[str, np.ndarray]) -> None:
        self.tensors = tensors


class _TritonError(Exception):
    pass


def backend_utils() -> types.ModuleType:
    """A stand-in `triton_python_backend_utils` with what our model files use."""
    mod = types.ModuleType("triton_python_backend_utils")
    mod.Tensor = _Tensor  # type: ignore[attr-defined]
    mod.InferenceResponse = _Response  # type: ignore[attr-defined]
    mod.InferenceRequest = _Request  # type: ignore[attr-defined]
    mod.TritonError = _TritonError  # type: ignore[attr-defined]
    mod.TritonModelException = _TritonError  # type: ignore[attr-defined]
    mod.triton_string_to_numpy = _NUMPY.__getitem__  # type: ignore[attr-defined]

    def get_input_tensor_by_name(request: _Request, name: str) -> _Tensor | None:
        array = request.tensors.get(name)
        return None if array is None else _Tensor(name, array)

    mod.get_input_tensor_by_name = get_input_tensor_by_name  # type: ignore[attr-defined]
    return mod


def load_module(path: Path, name: str) -> types.ModuleType:
    """Import a Triton `model.py` file under the stand-in backend utilities."""
    sys.modules.setdefault("triton_python_backend_utils", backend_utils())
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


class InProcessTriton:
    """`infer(ensemble, batch)` as `TritonClient.infer`, run in-process, one call at a time."""

    def __init__(self, ensembles: tuple[str, ...] | list[str], repository: Path | None = None):
        self.repository = repository or default_model_repository()
        self._models: dict[str, Any] = {}
        self._steps = {name: steps(name, self.repository) for name in ensembles}
        for name in ensembles:
            for step in self._steps[name]:
                self._load(step["model_name"])

    def _load(self, name: str) -> None:
        if name in self._models:
            return
        config = load_config(name, self.repository)
        path = (
            BACKEND
            if config.get("backend") == "onnxruntime"
            else (self.repository / name / "1" / "model.py")
        )
        model = load_module(path, f"framegraph_bench_{name}").TritonPythonModel()
        if hasattr(model, "initialize"):
            model.initialize(
                {
                    "model_config": json.dumps(config),
                    "model_name": name,
                    "model_repository": str(self.repository / name),
                    "model_version": "1",
                    "model_instance_kind": "CPU",
                    "model_instance_name": f"{name}_0",
                }
            )
        self._models[name] = model

    def run(self, ensemble: str, image: np.ndarray) -> dict[str, np.ndarray]:
        tensors: dict[str, np.ndarray] = {"image": image}
        for step in self._steps[ensemble]:
            feeds = {key: tensors[value] for key, value in step.get("input_map", {}).items()}
            response = self._models[step["model_name"]].execute([_Request(feeds)])[0]
            if response.error is not None:
                raise RuntimeError(f"{step['model_name']}: {response.error}")
            outputs = {t.name(): t.as_numpy() for t in response.tensors}
            for key, value in step.get("output_map", {}).items():
                tensors[value] = outputs[key]
        return tensors

    async def infer(self, model: Model, batch: np.ndarray) -> Outputs:
        out = self.run(model.name, batch)
        return {o.name: out[o.name] for o in model.outputs}
