"""The worker's Triton client: async gRPC, checked at start-up, failing fast while Triton is down.

- `check(models)`: readiness and config of every ensemble a plan needs, against the
  features' `Model` declarations; a mismatch is a clear error at start-up, not nonsense later.
- `infer(model, batch)`: one request per call (a frame's whole batch of crops at once),
  with a per-request timeout; when the server is on this host, every input batch (a frame,
  a frame's crops) goes through system shared memory (`shm.py`: regions by size class,
  registered once each, afresh after a restart); one that fits no region goes over gRPC.
- A request that fails as unavailable or not ready is retried within the frame's deadline
  (`retry.py`, called from one place, `_infer`); retries are counted per model and reason.
- When the server is unreachable, a background task probes it with exponential backoff
  (tenacity), each time on a fresh connection (a broken gRPC channel would otherwise sit
  in its own reconnect backoff), and swaps that connection in as soon as the server is
  ready again (shared memory is registered afresh). Meanwhile requests wait for it while
  their frame's deadline allows, and fail with an error naming the model after that.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.grpc.aio as aio
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential, wait_random
from tritonclient.utils import InferenceServerException

from orchestrator.models import Model, Outputs
from orchestrator.telemetry import Telemetry
from orchestrator.telemetry.remote import credit_remote
from orchestrator.triton.contract import check_model
from orchestrator.triton.errors import TritonError, TritonNotReady, TritonUnavailable, classify
from orchestrator.triton.retry import RetryPolicy
from orchestrator.triton.shm import ShmPool, Slot

__all__ = ["TritonClient", "TritonError", "TritonNotReady", "TritonUnavailable", "describe"]
log = logging.getLogger(__name__)
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
RECONNECT_MAX_WAIT = 1.0  # seconds between probes of a lost server, at most
UNKNOWN_REGION = "Unable to find shared memory region"  # Triton 2.x, NOT_FOUND


class _NotReady(Exception):
    pass


class TritonClient:
    def __init__(
        self,
        url: str,
        *,
        timeout: float = 10.0,
        telemetry: Telemetry | None = None,
        shared_memory: bool = True,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.url = url
        self.timeout = timeout
        self.telemetry = telemetry or Telemetry()
        self.retry = retry or RetryPolicy()
        self._client = aio.InferenceServerClient(url)
        local = url.rsplit(":", 1)[0] in LOCAL_HOSTS
        self._shm: ShmPool | None = ShmPool() if shared_memory and local else None
        self._registered: set[str] = set()  # regions the current server knows
        self._abandoned: set[str] = set()  # registered regions dropped after a failure
        self._unfit: set[str] = set()  # models told their inputs fit no region
        self._use_shm = self._shm is not None
        self._connected = asyncio.Event()  # clear while reconnecting
        self._connected.set()
        self._lost_at = 0.0
        self._background: set[asyncio.Task[None]] = set()  # reconnecting, retiring
        self._retired: list[aio.InferenceServerClient] = []  # replaced connections
        self.reconnects = 0

    # Start-up -------------------------------------------------------------------------
    async def check(self, models: Sequence[Model]) -> None:
        """Every model ready and matching its declaration; `TritonError` naming what is wrong."""
        try:
            if not await self._client.is_server_ready(client_timeout=self.timeout):
                raise TritonUnavailable(f"Triton at {self.url} is not ready")
        except InferenceServerException as exc:
            raise TritonUnavailable(f"Triton unreachable at {self.url}: {exc.message()}") from None
        problems = []
        for model in models:
            if not await self._client.is_model_ready(model.name, client_timeout=self.timeout):
                problems.append(f"model {model.name!r} is not ready on {self.url}")
                continue
            config = await self._client.get_model_config(model.name, as_json=True)
            mismatch = check_model(model, config)
            if mismatch:
                problems.append(mismatch)
        if problems:
            raise TritonError("\n".join(problems))

    async def ready(self, models: Sequence[str]) -> tuple[bool, str]:
        """(ready?, why not) for readiness probes: server up and these models loaded."""
        if not self.healthy:
            return False, f"Triton at {self.url} unreachable (reconnecting)"
        try:
            if not await self._client.is_server_ready(client_timeout=2.0):
                return False, f"Triton at {self.url} is not ready"
            for model in models:
                if not await self._client.is_model_ready(model, client_timeout=2.0):
                    return False, f"model {model!r} is not ready"
        except InferenceServerException as exc:
            return False, f"Triton unreachable at {self.url}: {exc.message()}"
        return True, "ok"

    # Inference ------------------------------------------------------------------------
    async def infer(self, model: Model, batch: np.ndarray) -> Outputs:
        """Run `model` on a batch (N, ...) of inputs; its outputs by name, each (N, ...).

        Batches beyond the model's guaranteed batch size go as concurrent chunks (a frame
        with 40 faces), which Triton's dynamic batcher may merge again.
        """
        limit = model.min_batch_size
        if len(batch) <= limit:
            return await self._infer(model, batch)
        parts = await asyncio.gather(
            *(self._infer(model, batch[i : i + limit]) for i in range(0, len(batch), limit))
        )
        return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}

    async def _infer(self, model: Model, batch: np.ndarray) -> Outputs:
        """One request, retried (within the frame's deadline) when Triton is unavailable."""
        return await self.retry.run(
            lambda: self._attempt(model, batch),
            connected=self._connected,
            outage=self._outage,
            on_retry=lambda why: self.telemetry.triton_retry(model.name, why),
        )

    async def _attempt(self, model: Model, batch: np.ndarray) -> Outputs:
        name = model.name
        if not self.healthy:
            self.telemetry.triton_request(name, 0.0, ok=False)
            raise TritonUnavailable(f"{name}: Triton unreachable at {self.url} (reconnecting)")
        inp = grpcclient.InferInput("image", list(batch.shape), model.input_tensor.datatype)
        outputs = [grpcclient.InferRequestedOutput(o.name) for o in model.outputs]
        slot = await self._shared(name, batch, inp)
        start = time.perf_counter()
        answered = False
        try:
            result = await self._client.infer(
                name, [inp], outputs=outputs, client_timeout=self.timeout
            )
            answered = True
        except InferenceServerException as exc:
            self.telemetry.triton_request(name, time.perf_counter() - start, ok=False)
            error = classify(name, exc)
            if isinstance(error, TritonUnavailable):
                self._lost()
            elif slot is not None and UNKNOWN_REGION in (exc.message() or ""):
                # restarted between two requests, unnoticed: register afresh and retry
                self._registered.clear()
                error = TritonNotReady(f"{name}: shared memory unknown to the server: {error}")
            raise error from None
        finally:
            if slot is not None:
                self._done(slot, ok=answered)
        elapsed = time.perf_counter() - start
        self.telemetry.triton_request(name, elapsed, ok=True)
        credit_remote(elapsed, name, len(batch))
        return {o.name: result.as_numpy(o.name) for o in model.outputs}

    async def _shared(
        self, model: str, batch: np.ndarray, inp: grpcclient.InferInput
    ) -> Slot | None:
        """Put the input batch in a shared memory region; plain gRPC when there is none."""
        pool = self._shm
        slot = pool.acquire(batch.nbytes) if pool is not None and self._use_shm else None
        if slot is None:
            if pool is not None and self._use_shm:
                self._no_slot(pool, model, batch.nbytes)
            inp.set_data_from_numpy(np.ascontiguousarray(batch))
            return None
        try:
            await self._register(slot)
        except (TritonError, asyncio.CancelledError):
            self._done(slot, ok=True)  # nothing sent in it: reusable
            raise
        except Exception as exc:  # remote server, no /dev/shm: plain gRPC from now on
            self._done(slot, ok=True)
            log.warning("shared memory off (%s: %s); inputs go over gRPC", model, exc)
            self._use_shm = False
            inp.set_data_from_numpy(np.ascontiguousarray(batch))
            return None
        slot.write(batch)
        inp.set_shared_memory(slot.name, batch.nbytes)
        return slot

    async def _register(self, slot: Slot) -> None:
        """Make `slot`'s region known to the current server, once per region and connection."""
        while slot.name not in self._registered:
            client = self._client
            try:
                await client.register_system_shared_memory(slot.name, slot.key, slot.size)
            except InferenceServerException as exc:
                error = classify(slot.name, exc)
                if isinstance(error, TritonUnavailable):  # the server went away: retried
                    self._lost()
                    raise error from None
                if exc.status() != "StatusCode.ALREADY_EXISTS":  # (a cancelled registration)
                    raise
            if client is self._client:  # else a new connection replaced it meanwhile: again
                self._registered.add(slot.name)

    def _done(self, slot: Slot, *, ok: bool) -> None:
        """A request is over: its region is reused, unless the server may still read it
        (timed out, cancelled, connection lost), in which case it is dropped."""
        if self._shm is None:
            return
        if ok:
            self._shm.release(slot)
        else:
            self._shm.discard(slot)
            if slot.name in self._registered:
                self._registered.discard(slot.name)
                self._abandoned.add(slot.name)

    def _no_slot(self, pool: ShmPool, model: str, nbytes: int) -> None:
        """A batch that fits no region goes over gRPC; said once per model, not an error."""
        if model not in self._unfit:
            self._unfit.add(model)
            log.info(
                "%s: a %d-byte input has no shared memory region (largest %d bytes, %d of %d "
                "in use); such inputs go over gRPC",
                model, nbytes, pool.largest, pool.used, pool.budget,
            )  # fmt: skip

    # Recovery -------------------------------------------------------------------------
    def _lost(self) -> None:
        if self.healthy:
            log.warning("Triton at %s lost; reconnecting with backoff", self.url)
            self._connected.clear()
            self._lost_at = time.perf_counter()
            task = asyncio.get_running_loop().create_task(self._recover())
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _recover(self) -> None:
        """Probe on a fresh connection each time until the server is ready; swap it in."""
        retry = AsyncRetrying(
            wait=wait_exponential(0.1, RECONNECT_MAX_WAIT) + wait_random(0, 0.1),
            retry=retry_if_exception_type((_NotReady, InferenceServerException)),
        )
        async for attempt in retry:
            with attempt:
                fresh = aio.InferenceServerClient(self.url)
                try:
                    if not await fresh.is_server_ready(client_timeout=2.0):
                        raise _NotReady
                except BaseException:
                    await fresh.close()
                    raise
        old, self._client = self._client, fresh
        for name in self._registered | self._abandoned:  # a restarted server has forgotten
            with contextlib.suppress(InferenceServerException):  # them; a live one not
                await fresh.unregister_system_shared_memory(name)
        self._registered.clear()
        self._abandoned.clear()
        self.reconnects += 1
        self._connected.set()
        log.warning("Triton at %s is back", self.url)
        self._retired.append(old)
        # Closing a channel cancels its calls (asyncio.CancelledError, not a gRPC error):
        # close the old one only once every request still on it has had its timeout.
        await asyncio.sleep(self.timeout)
        await self._close_retired()

    async def _close_retired(self) -> None:
        while self._retired:
            with contextlib.suppress(Exception):
                await self._retired.pop().close()

    @property
    def healthy(self) -> bool:
        return self._connected.is_set()

    def _outage(self) -> float:
        """Seconds since the server was lost; 0 while connected."""
        return 0.0 if self.healthy else time.perf_counter() - self._lost_at

    @property
    def shared_memory(self) -> bool:
        """Do input batches go through system shared memory (a local server that maps it)?"""
        return self._use_shm

    # Statistics -------------------------------------------------------------------------
    async def statistics(self) -> dict[str, dict[str, int]]:
        """{model: {"inference_count", "execution_count"}} for every model the server has."""
        stats = await self._client.get_inference_statistics(as_json=True)
        out: dict[str, dict[str, int]] = {}
        for model in stats.get("model_stats", []):
            name = model["name"]
            entry = out.setdefault(name, {"inference_count": 0, "execution_count": 0})
            entry["inference_count"] += int(model.get("inference_count", 0))
            entry["execution_count"] += int(model.get("execution_count", 0))
        return out

    async def model_statistics(self) -> list[dict[str, Any]]:
        """Every model's statistics (for cost attribution): name, inference count and the
        compute times of each batch size, in the shape of Triton's JSON. Read from the
        message itself: protobuf's JSON conversion of a dozen models' statistics cost
        ~2% of a worker's CPU at one poll a second."""
        stats = await self._client.get_inference_statistics()
        return [
            {
                "name": m.name,
                "version": m.version,
                "inference_count": m.inference_count,
                "execution_count": m.execution_count,
                "batch_stats": [
                    {
                        "batch_size": b.batch_size,
                        "compute_input": {"count": b.compute_input.count, "ns": b.compute_input.ns},
                        "compute_infer": {"count": b.compute_infer.count, "ns": b.compute_infer.ns},
                        "compute_output": {
                            "count": b.compute_output.count,
                            "ns": b.compute_output.ns,
                        },
                    }
                    for b in m.batch_stats
                ],
            }
            for m in stats.model_stats
        ]

    async def model_steps(self, model: str) -> list[str]:
        """The models an ensemble runs (the model itself if it is not an ensemble)."""
        config = (await self._client.get_model_config(model, as_json=True)).get("config", {})
        steps = (config.get("ensemble_scheduling") or {}).get("step") or []
        return [step["model_name"] for step in steps] or [model]

    async def close(self) -> None:
        for task in list(self._background):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(Exception):
            for name in self._registered | self._abandoned:
                await self._client.unregister_system_shared_memory(name)
        self._registered.clear()
        if self._shm is not None:
            self._shm.close()
        await self._close_retired()
        await self._client.close()


def describe(stats: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Per-model counts with the mean batch size (inferences per execution)."""
    return {
        name: {
            **s,
            "mean_batch": round(s["inference_count"] / s["execution_count"], 2)
            if s["execution_count"]
            else None,
        }
        for name, s in sorted(stats.items())
    }
