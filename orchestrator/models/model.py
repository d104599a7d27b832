"""A Triton ensemble as the worker sees it: its input, the outputs it reads, how it is called.

Every ensemble takes one batched input named `image` (the batch dim is implicit and not in
`dims`); one request usually carries one frame, or all crops of one frame. Features receive
an `Infer` callable from the runtime and pass it the `Model` itself, so a model's name is
written once, in its declaration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import numpy as np

from orchestrator.models.inputs import CropInput, FrameInput

# Triton datatype -> numpy dtype name.
NUMPY_DTYPES = {"UINT8": "uint8", "INT32": "int32", "FP32": "float32"}
TRITON_DTYPES = {v: k for k, v in NUMPY_DTYPES.items()}

Outputs = dict[str, np.ndarray]
In = TypeVar("In", FrameInput, CropInput)


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
class Model(Generic[In]):
    """One ensemble: its name in the repository, how its input is made, what the worker reads."""

    name: str
    input: In
    outputs: tuple[TensorSpec, ...]
    min_batch_size: int = 16  # a request may carry all crops of a frame; more go as chunks

    @property
    def input_tensor(self) -> TensorSpec:
        """The `image` input as Triton must declare it, derived from the input spec."""
        spec = self.input
        return TensorSpec("image", TRITON_DTYPES[spec.dtype], (spec.size, spec.size, spec.channels))

    @property
    def frame_input(self) -> FrameInput | None:
        """The whole-frame input spec, or None for a model fed with crops."""
        return self.input if isinstance(self.input, FrameInput) else None

    @property
    def input_node(self) -> str:
        """The plan node that makes a whole-frame input (its feature parameter: `input_<name>`)."""
        return f"input.{self.name}"

    def output(self, name: str) -> TensorSpec:
        for spec in self.outputs:
            if spec.name == name:
                return spec
        raise KeyError(f"{self.name} has no output {name!r}")


class Infer(Protocol):
    """What features await: run `model` on a batch (N, ...) of inputs; outputs by name, (N, ...)."""

    async def __call__(self, model: Model[Any], batch: np.ndarray) -> Outputs: ...
