"""Triton Inference Server: the worker's contract with it, and an embedded server for CPU runs.

`models` holds the ensemble contract (what the worker sends and reads back); `embedded` starts
the real Triton bundled in `nvidia-pytriton` on the project's model repository, for development,
tests and single-machine runs. Production serves the same repository from NVIDIA's container.
"""

from orchestrator.triton.embedded import (
    EmbeddedTriton,
    TritonStartupError,
    default_model_repository,
)
from orchestrator.triton.models import CONTRACTS, ModelContract, TensorSpec, check_model

__all__ = [
    "CONTRACTS",
    "EmbeddedTriton",
    "ModelContract",
    "TensorSpec",
    "TritonStartupError",
    "check_model",
    "default_model_repository",
]
