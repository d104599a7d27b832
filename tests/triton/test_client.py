"""The client's shared memory path against a fake connection: what goes where, registered when.

The fake server reads a shared memory input the way Triton does (the region by name) and
answers each item's sum, so a test sees whether the right bytes arrived by either route.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from multiprocessing.shared_memory import SharedMemory
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tritonclient.utils import InferenceServerException

from orchestrator.models import CropInput, Model, TensorSpec
from orchestrator.triton import client as client_module
from orchestrator.triton.client import UNKNOWN_REGION, TritonClient
from orchestrator.triton.retry import RetryPolicy
from orchestrator.triton.shm import ShmPool

CROPS = Model("crops", CropInput(32, "float32"), (TensorSpec("sum", "FP32", (1,)),))
CROP_BYTES = 32 * 32 * 3 * 4  # 12 KiB


class Result:
    def __init__(self, sums: np.ndarray) -> None:
        self.sums = sums

    def as_numpy(self, name: str) -> np.ndarray:
        return self.sums


class FakeServer:
    """Registers regions, answers per-item sums, and can fail or forget on demand."""

    def __init__(self) -> None:
        self.regions: dict[str, tuple[str, int]] = {}
        self.registrations = 0
        self.via: list[str] = []  # "shm" or "grpc" per request
        self.fail_next: list[InferenceServerException] = []
        self.refuse_registration: InferenceServerException | None = None

    async def register_system_shared_memory(self, name: str, key: str, size: int) -> None:
        if self.refuse_registration is not None:
            raise self.refuse_registration
        self.registrations += 1
        self.regions[name] = (key, size)

    async def unregister_system_shared_memory(self, name: str = "") -> None:
        self.regions.pop(name, None)

    async def infer(self, model: str, inputs: list[Any], **_: Any) -> Result:
        if self.fail_next:
            raise self.fail_next.pop(0)
        tensor = inputs[0]._get_tensor()
        shape, params = tuple(tensor.shape), tensor.parameters
        if "shared_memory_region" in params:
            name = params["shared_memory_region"].string_param
            if name not in self.regions:
                raise InferenceServerException(
                    f"{UNKNOWN_REGION}: '{name}'", "StatusCode.INVALID_ARGUMENT"
                )
            memory = SharedMemory(self.regions[name][0])
            batch = np.ndarray(shape, np.float32, buffer=memory.buf).copy()
            memory.close()
            self.via.append("shm")
        else:
            batch = np.frombuffer(inputs[0]._get_content(), np.float32).reshape(shape)
            self.via.append("grpc")
        return Result(batch.reshape(len(batch), -1).sum(axis=1, keepdims=True))

    async def close(self) -> None:
        pass


def crops(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((n, 32, 32, 3), dtype=np.float32)


def expected(batch: np.ndarray) -> np.ndarray:
    return batch.reshape(len(batch), -1).sum(axis=1, keepdims=True)


@pytest.fixture(autouse=True)
def no_channels(monkeypatch: pytest.MonkeyPatch) -> None:
    """No real gRPC channel: these are unit tests of the client's own logic, against a fake
    server that records what it was asked."""
    monkeypatch.setattr(client_module.aio, "InferenceServerClient", lambda url: FakeServer())


@pytest.fixture
async def client() -> AsyncIterator[TritonClient]:
    client = TritonClient("127.0.0.1:1", retry=RetryPolicy(first_wait=0.0, max_wait=0.0))
    yield client
    await client.close()


def server(client: TritonClient) -> FakeServer:
    return client._client  # type: ignore[return-value]


async def test_crop_batches_of_any_size_go_through_shared_memory(client: TritonClient) -> None:
    for n in (1, 3, 7, 16, 2, 3, 1):  # 12 to 192 KiB: three size classes
        batch = crops(n, seed=n)
        out = await client.infer(CROPS, batch)
        np.testing.assert_allclose(out["sum"], expected(batch), rtol=1e-6)
    fake = server(client)
    assert fake.via == ["shm"] * 7 and client.shared_memory
    assert fake.registrations == len(client._shm.slots()) == 3  # once per region, reused


async def test_a_batch_that_fits_no_region_goes_over_grpc_said_once(
    client: TritonClient, caplog: pytest.LogCaptureFixture
) -> None:
    client._shm = ShmPool(budget=64 * 1024, smallest=16 * 1024)
    with caplog.at_level(logging.INFO, "orchestrator.triton.client"):
        for _ in range(3):
            batch = crops(16)  # 192 KiB: above the budget
            np.testing.assert_allclose((await client.infer(CROPS, batch))["sum"], expected(batch))
        small = await client.infer(CROPS, crops(1))
    np.testing.assert_allclose(small["sum"], expected(crops(1)))
    assert server(client).via == ["grpc"] * 3 + ["shm"] and client.shared_memory
    said = [r for r in caplog.records if "has no shared memory region" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.INFO


async def test_a_server_that_cannot_map_the_region_turns_shared_memory_off(
    client: TritonClient,
) -> None:
    server(client).refuse_registration = InferenceServerException(
        "Unable to open shared memory region", "StatusCode.INVALID_ARGUMENT"
    )
    for n in (1, 4):
        batch = crops(n)
        np.testing.assert_allclose((await client.infer(CROPS, batch))["sum"], expected(batch))
    assert server(client).via == ["grpc", "grpc"] and not client.shared_memory


async def test_a_remote_server_gets_plain_grpc() -> None:
    remote = TritonClient("triton.example:8001")
    try:
        assert remote._shm is None and not remote.shared_memory
    finally:
        await remote.close()


async def test_a_failed_request_drops_its_region_instead_of_reusing_it(
    client: TritonClient,
) -> None:
    await client.infer(CROPS, crops(2))
    (first,) = client._shm.slots()
    server(client).fail_next.append(InferenceServerException("boom", "StatusCode.INTERNAL"))
    with pytest.raises(Exception, match="boom"):
        await client.infer(CROPS, crops(2))  # the server may still read that region later
    assert client._shm.slots() == [] and not Path("/dev/shm", first.name).exists()
    await client.infer(CROPS, crops(2))
    (fresh,) = client._shm.slots()
    assert fresh is not first and server(client).via == ["shm", "shm"]


async def test_a_server_that_forgot_its_regions_gets_them_registered_again(
    client: TritonClient,
) -> None:
    await client.infer(CROPS, crops(3))
    server(client).regions.clear()  # restarted between two requests, unnoticed
    batch = crops(3, seed=9)
    out = await client.infer(CROPS, batch)  # refused once, registered afresh, retried
    np.testing.assert_allclose(out["sum"], expected(batch), rtol=1e-6)
    assert server(client).registrations == 2 and server(client).via == ["shm", "shm"]


async def test_close_unregisters_and_unlinks_every_region(client: TritonClient) -> None:
    await client.infer(CROPS, crops(1))
    await client.infer(CROPS, crops(9))
    names = [slot.name for slot in client._shm.slots()]
    assert len(names) == 2 and set(server(client).regions) == set(names)
    await client.close()
    assert server(client).regions == {}
    assert not any(Path("/dev/shm", name).exists() for name in names)
