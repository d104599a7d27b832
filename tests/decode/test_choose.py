"""`--decoder auto|opencv|dali`: the auto rule, GPU detection, the missing-extra error."""

from __future__ import annotations

import ctypes
import logging
import sys
from typing import ClassVar

import pytest

from orchestrator.decode import choose, dali
from orchestrator.decode.choose import DecoderUnavailable, make_decoder
from orchestrator.decode.opencv import OpenCVDecoder

INSTALL = "pip install 'framegraph[gpu]'"


@pytest.fixture
def no_dali(monkeypatch):
    """As if the gpu extra were not installed, whether or not it is."""
    monkeypatch.setitem(sys.modules, "nvidia.dali", None)


class FakeDali:
    """Stands in for DaliDecoder where the real one would need a GPU."""

    made: ClassVar[list[str]] = []
    fail: ClassVar[bool] = False

    def __init__(self, device: str, **options: object) -> None:
        if FakeDali.fail:
            raise DecoderUnavailable("nvJPEG could not start")
        FakeDali.made.append(device)
        self.name = f"dali-{device}"


@pytest.fixture
def gpu_host(monkeypatch):
    """DALI present and one CUDA device visible."""
    FakeDali.made, FakeDali.fail = [], False
    monkeypatch.setattr(choose, "dali_installed", lambda: True)
    monkeypatch.setattr(choose, "cuda_device_count", lambda: 1)
    monkeypatch.setattr(dali, "DaliDecoder", FakeDali)


def test_opencv_choice():
    decoder = make_decoder("opencv", max_batch=4)
    assert isinstance(decoder, OpenCVDecoder)
    assert decoder.max_batch == 4


def test_unknown_choice():
    with pytest.raises(ValueError, match="auto, opencv, dali"):
        make_decoder("nvjpeg")


def test_auto_without_dali_is_opencv(no_dali):
    assert not choose.dali_installed()
    choice, reason = choose.auto_choice()
    assert choice == "opencv"
    assert INSTALL in reason
    assert isinstance(make_decoder("auto"), OpenCVDecoder)


def test_auto_without_gpu_is_opencv(monkeypatch):
    monkeypatch.setattr(choose, "dali_installed", lambda: True)
    monkeypatch.setattr(choose, "cuda_device_count", lambda: 0)
    assert choose.auto_choice()[0] == "opencv"
    assert isinstance(make_decoder("auto"), OpenCVDecoder)


def test_auto_with_dali_and_gpu_is_dali_mixed(gpu_host):
    decoder = make_decoder("auto", max_batch=8)
    assert decoder.name == "dali-mixed"
    assert FakeDali.made == ["mixed"]


def test_auto_falls_back_to_opencv_when_dali_cannot_start(gpu_host, caplog):
    FakeDali.fail = True
    with caplog.at_level(logging.WARNING, logger=choose.__name__):
        decoder = make_decoder("auto")
    assert isinstance(decoder, OpenCVDecoder)
    assert "nvJPEG could not start" in caplog.text


def test_dali_choice_does_not_fall_back(gpu_host):
    FakeDali.fail = True
    with pytest.raises(DecoderUnavailable):
        make_decoder("dali")


def test_dali_without_the_extra_says_how_to_install(no_dali):
    with pytest.raises(DecoderUnavailable, match=r"pip install 'framegraph\[gpu\]'"):
        make_decoder("dali")
    with pytest.raises(DecoderUnavailable, match=r"pip install 'framegraph\[gpu\]'"):
        dali.DaliDecoder("cpu")


def test_cuda_device_count_without_a_driver(monkeypatch):
    def no_library(name: str) -> None:
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(ctypes, "CDLL", no_library)
    assert choose.cuda_device_count() == 0


def test_cuda_device_count_with_a_driver_but_no_device(monkeypatch):
    class Driver:
        @staticmethod
        def cuInit(flags: int) -> int:
            return 100  # CUDA_ERROR_NO_DEVICE

    monkeypatch.setattr(ctypes, "CDLL", lambda name: Driver())
    assert choose.cuda_device_count() == 0


def test_cuda_device_count_here_does_not_raise():
    assert choose.cuda_device_count() >= 0


def test_dali_choice_without_gpu_runs_on_the_cpu(monkeypatch):
    pytest.importorskip("nvidia.dali", reason=f"NVIDIA DALI not installed: {INSTALL}")
    monkeypatch.setattr(choose, "cuda_device_count", lambda: 0)
    decoder = make_decoder("dali", max_batch=2)
    assert decoder.name == "dali-cpu"
    assert decoder.max_batch == 2
    decoder.close()


def test_dali_mixed_without_gpu_is_unavailable():
    pytest.importorskip("nvidia.dali", reason=f"NVIDIA DALI not installed: {INSTALL}")
    if choose.cuda_device_count():
        pytest.skip("a CUDA device is visible here")
    with pytest.raises(DecoderUnavailable, match="mixed"):
        make_decoder("dali", device="mixed")
