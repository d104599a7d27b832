"""The DALI decoder, CPU mode (device_id=None), against the OpenCV reference on the samples."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import cv2
import numpy as np
import pytest

from orchestrator.decode.base import Decoded, DecodeError
from orchestrator.decode.choose import cuda_device_count
from orchestrator.decode.dali import DaliDecoder  # imports DALI only when a decoder is made
from orchestrator.decode.opencv import OpenCVDecoder
from orchestrator.decode.payload import probe
from orchestrator.features import default_catalog
from orchestrator.models import FrameInput

# Every whole-frame model input of the catalog, by plan node: what DALI must make like OpenCV.
FRAME_INPUTS: dict[str, FrameInput] = {
    m.input_node: m.frame_input for m in default_catalog().models() if m.frame_input is not None
}
SSDLITE = {"input.persons": FRAME_INPUTS["input.persons"]}
BLAZEFACE = {"input.faces": FRAME_INPUTS["input.faces"]}
SELFIE = {"input.person_mask": FRAME_INPUTS["input.person_mask"]}

pytest.importorskip(
    "nvidia.dali", reason="NVIDIA DALI not installed: pip install 'framegraph[gpu]'"
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

# Allowed (max, mean) difference from OpenCV in grey levels (1 = one uint8 step of the source
# pixel), for the frame and for each model input. CPU, measured (docs/decoding.md): frames
# bit-identical, inputs within one level with ~6-8 % of values off by one. Mixed (nvJPEG):
# provisional until measured on a GPU; its IDCT and the hardware decoder differ slightly.
TOLERANCE = {
    "cpu": {"frame": (0.0, 0.0), "input": (1.0, 0.15)},
    "mixed": {"frame": (255.0, 1.0), "input": (255.0, 1.0)},
}


def assert_close(device: str, kind: str, pairs: list[tuple[np.ndarray, np.ndarray]], step=1.0):
    """Max and mean of |got - want| over all pairs, in grey levels, within the tolerance."""
    most = total = count = 0.0
    for got, want in pairs:
        assert got.shape == want.shape and got.dtype == want.dtype
        diff = cv2.absdiff(got, want)
        most, total, count = (
            max(most, float(diff.max())),
            total + diff.sum(dtype=np.float64),
            count + diff.size,
        )
    most, mean = most / step, total / count / step
    limit_max, limit_mean = TOLERANCE[device][kind]
    assert most <= limit_max + 1e-3 and mean <= limit_mean + 1e-9, (
        f"{device} {kind}: max {most:.3f}, mean {mean:.4f} grey levels"
    )


def step(spec: FrameInput) -> float:
    """One grey level of the source pixel, in the input's units."""
    return 1.0 if spec.dtype == "uint8" else spec.scale


def check(
    device: str,
    got: Decoded | DecodeError,
    want: Decoded,
    specs: Mapping[str, FrameInput] = FRAME_INPUTS,
) -> None:
    """`got` is OpenCV's frame `want` and its model inputs, within the device's tolerance."""
    assert isinstance(got, Decoded), got
    assert_close(device, "frame", [(got.image, want.image)])
    assert set(got.inputs) == set(specs)
    for name, spec in specs.items():
        assert got.inputs[name].shape == (spec.size, spec.size, 3)
        assert_close(device, "input", [(got.inputs[name], spec.make(want.image))], step(spec))


def corrupt(jpeg: bytes) -> bytes:
    """A JPEG whose header still reads (payload checks pass) but whose scan header is bogus."""
    sos = jpeg.index(b"\xff\xda")
    return jpeg[: sos + 4] + b"\x09" + jpeg[sos + 5 :]


@pytest.fixture(scope="module")
def frames() -> list[bytes]:
    paths = sorted(SAMPLES.glob("vtest/*.jpg")) + sorted(SAMPLES.glob("megamind/*.jpg"))
    assert len(paths) == 136
    return [p.read_bytes() for p in paths]


@pytest.fixture(scope="module")
def reference(frames) -> list[Decoded]:
    return OpenCVDecoder().decode(frames)


@pytest.fixture(scope="module", params=["cpu", "mixed"])
def decoder(request):
    """The same graph on the CPU (always) and on the GPU with nvJPEG (where one is visible)."""
    if request.param == "mixed" and cuda_device_count() == 0:
        pytest.skip("no CUDA device visible: the mixed (nvJPEG) path needs a GPU")
    dec = DaliDecoder(request.param, max_batch=8)
    yield dec
    dec.close()


@pytest.fixture(scope="module")
def decoded(decoder, frames) -> list[Decoded | DecodeError]:
    return decoder.decode(frames, FRAME_INPUTS)  # 136 frames: batches of 8


def test_frames_and_inputs_equal_opencv(decoder, decoded, reference):
    assert all(isinstance(got, Decoded) for got in decoded)
    pairs = list(zip(decoded, reference, strict=True))
    assert_close(decoder.device, "frame", [(g.image, w.image) for g, w in pairs])
    for name, spec in FRAME_INPUTS.items():
        inputs = [(g.inputs[name], spec.make(w.image)) for g, w in pairs]
        assert_close(decoder.device, "input", inputs, step(spec))


def test_only_the_requested_inputs_are_made(decoder, frames):
    (one,) = decoder.decode(frames[:1], SELFIE)
    assert set(one.inputs) == set(SELFIE)
    (bare,) = decoder.decode(frames[:1], ())
    assert bare.inputs == {}


def test_allowed_reductions_are_ignored_and_frames_come_whole(decoder, frames):
    """nvJPEG cannot scale while decoding (module doc): the contract lets DALI decode whole."""
    out = decoder.decode(frames[:2], SSDLITE, [4, 2])
    assert all(isinstance(o, Decoded) and o.reduction == 1 for o in out)
    assert [o.image.shape for o in out if isinstance(o, Decoded)] == [(576, 768, 3)] * 2


def synthetic(height: int, width: int, ext: str = ".png", channels: int = 3) -> bytes:
    rng = np.random.default_rng(height * 10_000 + width)
    pixels = rng.integers(0, 256, (height, width, channels), np.uint8)
    pixels = cv2.GaussianBlur(pixels, (5, 5), 0)  # photo-like rather than pure noise
    ok, buf = cv2.imencode(ext, pixels)
    assert ok
    return buf.tobytes()


def test_mixed_sizes_and_formats_in_one_batch(decoder):
    # Letterbox sizes that round half to even (75.5 -> 76, 74.5 -> 74, 2.5 -> 2, 1.5 -> 2),
    # a tall frame, grey JPEG, PNG with alpha: geometry and colour handling as in OpenCV.
    payloads = [
        synthetic(302, 512),
        synthetic(298, 512),
        synthetic(10, 512),
        synthetic(6, 512),
        synthetic(512, 301),
        synthetic(96, 128, ".jpg", 1),
        synthetic(50, 70, ".png", 4),
    ]
    got = decoder.decode(payloads, BLAZEFACE | SSDLITE)
    for out, want in zip(got, OpenCVDecoder().decode(payloads), strict=True):
        check(decoder.device, out, want, BLAZEFACE | SSDLITE)


def test_a_corrupt_frame_fails_alone(decoder, frames, reference):
    bad = corrupt(frames[1])
    probe(bad)  # passes the checks made before decoding: only the decoder can tell
    outcomes = decoder.decode([frames[0], bad, frames[2], frames[3]], FRAME_INPUTS)
    assert isinstance(outcomes[1], DecodeError)
    assert outcomes[1].code == "corrupt"
    for i in (0, 2, 3):
        check(decoder.device, outcomes[i], reference[i])


def test_the_decoder_goes_on_after_corrupt_batches(decoder, frames, reference):
    outcomes = decoder.decode([corrupt(frames[5]), corrupt(frames[6])], FRAME_INPUTS)
    assert [o.code for o in outcomes] == ["corrupt", "corrupt"]
    (single,) = decoder.decode([corrupt(frames[7])], FRAME_INPUTS)
    assert isinstance(single, DecodeError)
    for got, want in zip(decoder.decode(frames[8:10], FRAME_INPUTS), reference[8:10], strict=True):
        check(decoder.device, got, want)


def test_empty_batch(decoder):
    assert decoder.decode([], FRAME_INPUTS) == []


def test_pipelines_per_plan_are_bounded(frames):
    dec = DaliDecoder("cpu", max_batch=2, max_pipelines=2)
    for specs in (SSDLITE, SELFIE, SSDLITE | SELFIE, SSDLITE):
        (out,) = dec.decode(frames[:1], specs)
        assert set(out.inputs) == set(specs)
    assert len(dec._pipelines) <= 2
    dec.close()


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="device"):
        DaliDecoder("gpu")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_batch"):
        DaliDecoder("cpu", max_batch=0)
