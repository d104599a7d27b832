"""Triton Inference Server: the worker's client, the contract check, and an embedded server.

Which ensembles exist and what they take is declared by the features (`orchestrator.models`);
`contract` checks a repository's or a server's configs against those declarations, `client`
calls them over gRPC, and `embedded` starts the real Triton bundled in `nvidia-pytriton` on the
project's model repository, for development, tests and single-machine runs. Production serves
the same repository from NVIDIA's container.
"""

from orchestrator.triton.contract import check_model
from orchestrator.triton.embedded import (
    EmbeddedTriton,
    TritonStartupError,
    default_model_repository,
)

__all__ = ["EmbeddedTriton", "TritonStartupError", "check_model", "default_model_repository"]
