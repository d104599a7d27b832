"""The contract between the worker and Triton: the ensembles it calls, as typed data.

The worker calls only ensembles (net + post-processing). Their inputs arrive already sized by
the worker (`orchestrator.decode.inputs`); every one is batched (the batch dim is implicit and
not in `dims`) and one request usually carries one frame, or all crops of one frame. The client
layer checks Triton's metadata against this at start-up (`check_model`), so a model repository
that drifted fails loudly instead of returning nonsense.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Triton datatype -> numpy dtype name.
NUMPY_DTYPES = {"UINT8": "uint8", "INT32": "int32", "FP32": "float32"}

EXPRESSIONS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
FACE_KEYPOINTS = ("right_eye", "left_eye", "nose_tip", "mouth", "right_ear", "left_ear")
POSE_COLUMNS = ("x", "y", "z", "visibility", "presence")


@dataclass(frozen=True)
class TensorSpec:
    """A tensor as Triton shows it: name, datatype ("FP32"...), dims without the batch dim."""

    name: str
    datatype: str
    dims: tuple[int, ...]  # -1: any length (per-request padded counts)

    @property
    def numpy_dtype(self) -> str:
        return NUMPY_DTYPES[self.datatype]

    def __str__(self) -> str:
        return f"{self.name!r} {self.datatype} {list(self.dims)}"


@dataclass(frozen=True)
class ModelContract:
    """One ensemble: its single image input and the outputs the worker reads."""

    name: str
    input: TensorSpec
    outputs: tuple[TensorSpec, ...]
    min_batch_size: int = 16  # a request may carry all crops of a frame

    def output(self, name: str) -> TensorSpec:
        for spec in self.outputs:
            if spec.name == name:
                return spec
        raise KeyError(f"{self.name} has no output {name!r}")


def _image(datatype: str, *dims: int) -> TensorSpec:
    return TensorSpec("image", datatype, dims)


PERSONS = ModelContract(
    "persons",
    _image("UINT8", 300, 300, 3),  # stretched RGB frame
    (
        TensorSpec("boxes", "FP32", (-1, 4)),  # x1, y1, x2, y2 normalised; padded rows
        TensorSpec("scores", "FP32", (-1,)),  # 0 on padded rows
        TensorSpec("count", "INT32", (1,)),  # real rows per image
    ),
)
FACES = ModelContract(
    "faces",
    _image("FP32", 128, 128, 3),  # letterboxed RGB frame in [-1, 1]
    (
        TensorSpec("boxes", "FP32", (-1, 4)),  # normalised to the 128x128 input
        TensorSpec("keypoints", "FP32", (-1, 6, 2)),  # FACE_KEYPOINTS, normalised x, y
        TensorSpec("scores", "FP32", (-1,)),
        TensorSpec("count", "INT32", (1,)),
    ),
)
FACE_LANDMARKS = ModelContract(
    "face_landmarks",
    _image("FP32", 192, 192, 3),  # square face crop (~1.5x the box) in [0, 1]
    (
        TensorSpec("landmarks", "FP32", (468, 3)),  # x, y, z in crop pixels
        TensorSpec("presence", "FP32", (1,)),  # probability
    ),
)
FACE_EXPRESSION = ModelContract(
    "face_expression",
    _image("FP32", 64, 64, 1),  # grayscale face crop (~1.2x the box), (x / 255 - 0.5) * 2
    (
        TensorSpec("probabilities", "FP32", (7,)),  # in EXPRESSIONS order
        TensorSpec("label", "INT32", (1,)),  # index into EXPRESSIONS
    ),
)
PERSON_POSE = ModelContract(
    "person_pose",
    _image("FP32", 256, 256, 3),  # square person crop (~1.25x the box) in [0, 1]
    (
        TensorSpec("keypoints", "FP32", (33, 5)),  # POSE_COLUMNS; x, y, z in crop pixels
        TensorSpec("presence", "FP32", (1,)),  # probability
    ),
)
PERSON_MASK = ModelContract(
    "person_mask",
    _image("FP32", 256, 256, 3),  # stretched RGB frame in [0, 1]
    (TensorSpec("mask", "UINT8", (256, 256)),),  # 255 = person
)

CONTRACTS: dict[str, ModelContract] = {
    c.name: c
    for c in (PERSONS, FACES, FACE_LANDMARKS, FACE_EXPRESSION, PERSON_POSE, PERSON_MASK)
}


def _served(tensors: Any) -> dict[str, tuple[str, tuple[int, ...]]]:
    # tritonclient.grpc's as_json renders int64 dims as strings; tritonclient.http gives ints.
    return {t["name"]: (t["datatype"], tuple(int(d) for d in t["shape"])) for t in tensors or []}


def _compare(kind: str, want: TensorSpec, got: tuple[str, tuple[int, ...]] | None) -> str | None:
    if got is None:
        return f"{kind} {want.name!r} is missing (expected {want})"
    datatype, dims = got
    same_dims = len(dims) == len(want.dims) and all(
        w == -1 or w == g for w, g in zip(want.dims, dims, strict=True)
    )
    if datatype != want.datatype or not same_dims:
        return f"{kind} {want.name!r}: expected {want}, server has {datatype} {list(dims)}"
    return None


def check_model(
    contract: ModelContract, metadata: Mapping[str, Any], config: Mapping[str, Any] | None = None
) -> str | None:
    """None if Triton's model matches `contract`, else a message listing every difference.

    `metadata` is `get_model_metadata(name, as_json=True)` (gRPC) or the HTTP client's dict;
    `config`, if given, is `get_model_config(...)` in the same form (with or without the
    "config" wrapper) and lets the batch size be checked too.
    """
    problems: list[str | None] = []
    if metadata.get("name") != contract.name:
        problems.append(f"metadata is for model {metadata.get('name')!r}")
    lead = 1
    if config is not None:
        config = config.get("config", config)
        batch = int(config.get("max_batch_size", 0))
        if batch < contract.min_batch_size:
            problems.append(f"max_batch_size is {batch}, needs >= {contract.min_batch_size}")
        lead = 1 if batch > 0 else 0
    inputs = _served(metadata.get("inputs"))
    outputs = _served(metadata.get("outputs"))
    unbatched = set()
    if lead:  # batched: the metadata shows the batch dim as a leading -1
        for served in (inputs, outputs):
            for name, (datatype, dims) in served.items():
                if dims[:1] == (-1,):
                    served[name] = (datatype, dims[1:])
                else:
                    problems.append(f"{name!r} has no batch dim (shape {list(dims)})")
                    unbatched.add(name)
    wanted = [("input", contract.input, inputs)]
    wanted += [("output", spec, outputs) for spec in contract.outputs]
    for kind, spec, served in wanted:
        if spec.name not in unbatched:
            problems.append(_compare(kind, spec, served.get(spec.name)))
    found = [p for p in problems if p]
    if not found:
        return None
    details = "\n".join(f"  - {p}" for p in found)
    return f"Triton model {contract.name!r} does not match the worker's contract:\n{details}"
