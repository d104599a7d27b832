"""The onnxruntime backend's provider: CUDA with a device and onnxruntime-gpu, else the CPU."""

from __future__ import annotations

import pytest

from orchestrator.bench.inprocess import load_module
from orchestrator.triton.backend.install import BACKEND_SOURCE
from orchestrator.triton.embedded import default_model_repository

backend = load_module(BACKEND_SOURCE, "framegraph_ort_backend_under_test")
CUDA, CPU = backend.CUDA, backend.CPU


def test_cpu_without_the_gpu_build_or_without_a_device() -> None:
    assert backend.choose_providers([CPU], devices=1) == (
        [CPU],
        "no CUDA execution provider in this onnxruntime (onnxruntime-gpu absent)",
    )
    assert backend.choose_providers([CUDA, CPU], devices=0) == ([CPU], "no CUDA device is visible")


def test_cuda_first_on_the_instance_device_with_the_cpu_as_fallback() -> None:
    providers, why = backend.choose_providers([CUDA, CPU], devices=2, device_id=1)
    assert providers == [(CUDA, {"device_id": 1}), CPU] and why == "CUDA device 1 of 2"
    providers, _ = backend.choose_providers([CUDA, CPU], devices=1, device_id=3)
    assert providers[0] == (CUDA, {"device_id": 0})  # a device id this machine lacks


def test_the_environment_can_force_the_cpu() -> None:
    assert backend.choose_providers([CUDA, CPU], 1, wanted="cpu") == (
        [CPU],
        "FRAMEGRAPH_ORT_PROVIDER=cpu",
    )


def test_a_model_logs_which_provider_runs_it(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from orchestrator.triton.repository import load_config

    repo = default_model_repository()
    model = backend.TritonPythonModel()
    model.initialize(
        {
            "model_config": json.dumps(load_config("fer_emotion", repo)),
            "model_name": "fer_emotion",
            "model_repository": str(repo / "fer_emotion"),
            "model_version": "1",
            "model_instance_kind": "CPU",
        }
    )
    assert model.provider == CPU
    line = capsys.readouterr().err
    assert "fer_emotion runs on CPUExecutionProvider (" in line
