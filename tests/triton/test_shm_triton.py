"""The client's shared memory against the real embedded Triton: crop models answer the same
through shared memory as over gRPC, and a restarted server gets the regions registered afresh;
the statistics the cost poller reads agree with Triton's own JSON."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import numpy as np
import pytest

from orchestrator.features import default_catalog
from orchestrator.models import Model
from orchestrator.triton.backend.install import Bundle, BundleNotFound
from orchestrator.triton.client import TritonClient
from orchestrator.triton.embedded import EmbeddedTriton, free_ports
from orchestrator.triton.retry import RetryPolicy

pytestmark = pytest.mark.triton
CROP_MODELS = ("person_pose", "face_expression", "face_landmarks", "hand_landmarks")
PATIENT = RetryPolicy(budget=120.0)  # a restarted server's model takes seconds to load


def model(name: str) -> Model:
    return {m.name: m for m in default_catalog().models()}[name]


def crops(m: Model, n: int, seed: int) -> np.ndarray:
    """`n` crops in the model's input range (noise around mid-grey, not all zeros)."""
    spec, shape = m.input, (n, *m.input_tensor.dims)
    pixels = np.random.default_rng(seed).integers(0, 256, shape).astype(np.float32)
    return (pixels * spec.scale + spec.offset).astype(np.float32)


def server_with(models: list[str], ports: list[int] | None = None) -> EmbeddedTriton:
    http, grpc, metrics = ports or free_ports(3)
    return EmbeddedTriton(
        models=models, http_port=http, grpc_port=grpc, metrics_port=metrics, startup_timeout=180
    ).start()


@pytest.fixture(scope="module")
def crop_server() -> Iterator[EmbeddedTriton]:
    try:
        Bundle.locate()
    except BundleNotFound as exc:
        pytest.skip(str(exc))
    server = server_with(list(CROP_MODELS))
    try:
        yield server
    finally:
        server.stop()


async def test_crop_models_answer_identically_through_shared_memory_and_grpc(
    crop_server: EmbeddedTriton,
) -> None:
    shared, plain = (
        TritonClient(crop_server.grpc_url),
        TritonClient(crop_server.grpc_url, shared_memory=False),
    )
    try:
        for name in CROP_MODELS:
            m = model(name)
            for n in (1, 3, 1):  # a region of each class, then one reused
                batch = crops(m, n, seed=n)
                a, b = await shared.infer(m, batch), await plain.infer(m, batch)
                for spec in m.outputs:
                    np.testing.assert_allclose(a[spec.name], b[spec.name], rtol=1e-5, atol=1e-5)
                    assert a[spec.name].shape[0] == n
        assert shared.shared_memory and not plain.shared_memory
        names = {slot.name for slot in shared._shm.slots()}  # type: ignore[union-attr]
        status = await shared._client.get_system_shared_memory_status(as_json=True)
        known = {r["name"] for r in status.get("regions", {}).values()} | set(
            status.get("regions", {})
        )
        assert names and names <= known  # the server read them from shared memory
        assert len(names) <= 2 * len(CROP_MODELS)  # reused, not one per request
    finally:
        await shared.close()
        await plain.close()


async def test_statistics_read_from_the_message_agree_with_tritons_json(
    crop_server: EmbeddedTriton,
) -> None:
    client = TritonClient(crop_server.grpc_url)
    try:
        m = model("face_expression")
        await client.infer(m, crops(m, 2, seed=0))
        ours = {s["name"]: s for s in await client.model_statistics()}
        theirs = await client._client.get_inference_statistics(as_json=True)
        for ref in theirs["model_stats"]:
            mine = ours[ref["name"]]
            assert mine["inference_count"] == int(ref.get("inference_count", 0))
            refs = {int(b["batch_size"]): b for b in ref.get("batch_stats", [])}
            assert {b["batch_size"] for b in mine["batch_stats"]} == set(refs)
            for b in mine["batch_stats"]:
                for part in ("compute_input", "compute_infer", "compute_output"):
                    assert b[part]["ns"] == int(refs[b["batch_size"]][part].get("ns", 0))
        assert ours["face_expression"]["inference_count"] >= 2
    finally:
        await client.close()


class ServerProcess:
    """`framegraph triton` in a child process, restarted on the same ports."""

    def __init__(self, models: list[str], ports: list[int]) -> None:
        http, grpc, metrics = ports
        self.url, self.ready_url = f"127.0.0.1:{grpc}", f"http://127.0.0.1:{http}/v2/health/ready"
        argv = [sys.executable, "-m", "orchestrator", "triton", "--models", ",".join(models)]
        argv += ["--http-port", str(http), "--grpc-port", str(grpc), "--metrics-port", str(metrics)]
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    async def ready(self, seconds: float = 180) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "framegraph triton exited"
            try:
                with urllib.request.urlopen(self.ready_url, timeout=1):
                    return
            except OSError:
                await asyncio.sleep(0.5)
        raise TimeoutError(self.ready_url)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


async def test_after_a_restart_the_regions_are_registered_afresh() -> None:
    try:
        Bundle.locate()
    except BundleNotFound as exc:
        pytest.skip(str(exc))
    ports = free_ports(3)
    m = model("face_expression")
    batch = crops(m, 4, seed=1)
    first = ServerProcess([m.name], ports)
    restarted = None
    try:
        await first.ready()
        client = TritonClient(first.url, retry=PATIENT)
        try:
            before = await client.infer(m, batch)
            first.stop()
            restarted = ServerProcess([m.name], ports)  # same ports, none of our regions
            after = await client.infer(m, batch)  # waits for it, registers afresh
            np.testing.assert_allclose(after["probabilities"], before["probabilities"], atol=1e-6)
            status = await client._client.get_system_shared_memory_status(as_json=True)
            assert client.shared_memory and status.get("regions")  # known to the new server
        finally:
            await client.close()
    finally:
        first.stop()
        if restarted is not None:
            restarted.stop()
