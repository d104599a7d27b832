"""A real Triton (the embedded server on the project's model repository), once per test session.

Feature tests reuse it: `triton` is the started `EmbeddedTriton` (`grpc_url` "127.0.0.1:PORT",
`http_url`, `metrics_url`), `triton_client` a gRPC client on it, and `infer` runs one model on
one batch and returns its outputs as numpy arrays. Tests that use them are marked `triton`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pytest

from orchestrator.features import default_catalog
from orchestrator.triton.backend.install import Bundle, BundleNotFound
from orchestrator.triton.embedded import EmbeddedTriton

Infer = Callable[..., dict[str, np.ndarray]]
_TRITON_DTYPES = {np.dtype(np.uint8): "UINT8", np.dtype(np.float32): "FP32"}


@pytest.fixture(scope="session")
def triton() -> Iterator[EmbeddedTriton]:
    try:
        Bundle.locate()
    except BundleNotFound as exc:
        pytest.skip(str(exc))
    server = EmbeddedTriton(startup_timeout=180)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def triton_client(triton: EmbeddedTriton) -> Iterator[object]:
    grpcclient = pytest.importorskip("tritonclient.grpc")
    client = grpcclient.InferenceServerClient(triton.grpc_url)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(scope="session")
def infer(triton_client: object) -> Infer:
    """`infer(model, array, input_name="image", outputs=None)` -> {output name: array}.

    `outputs` defaults to the contract's outputs for ensembles; `array` carries the batch dim.
    """
    import tritonclient.grpc as grpcclient

    def run(
        model: str, array: np.ndarray, input_name: str = "image", outputs: list[str] | None = None
    ) -> dict[str, np.ndarray]:
        if outputs is None:
            declared = {m.name: m for m in default_catalog().models()}
            outputs = [spec.name for spec in declared[model].outputs]
        tensor = grpcclient.InferInput(input_name, list(array.shape), _TRITON_DTYPES[array.dtype])
        tensor.set_data_from_numpy(np.ascontiguousarray(array))
        wanted = [grpcclient.InferRequestedOutput(name) for name in outputs]
        result = triton_client.infer(model, [tensor], outputs=wanted)  # type: ignore[attr-defined]
        return {name: result.as_numpy(name) for name in outputs}

    return run
