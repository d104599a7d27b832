"""The lazy session: no server until a plan needs one; never waited for; a failure is retried."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest

from orchestrator.features.persons import PERSONS
from orchestrator.triton import session as session_mod
from orchestrator.triton.client import TritonUnavailable
from orchestrator.triton.embedded import free_ports
from orchestrator.triton.session import TritonStarting

FRAME = np.zeros((1, 300, 300, 3), np.uint8)


async def test_lazy_session_connects_on_first_use_and_retries_after_failure(monkeypatch) -> None:
    monkeypatch.setattr(session_mod, "RETRY_OPEN_S", 0.2)
    (port,) = free_ports(1)
    async with session_mod.triton_session((PERSONS,), f"127.0.0.1:{port}", lazy=True) as s:
        assert s.client is None and await s.ready(()) == (True, "ok")
        ok, why = await s.ready(("persons",))
        assert not ok and "Triton is starting" in why
        first = s._opening
        assert first is not None  # the probe started the connection
        with pytest.raises(TritonStarting):
            await s.infer(PERSONS, FRAME)
        await asyncio.wait([first])  # nothing listens on that port: it fails
        with pytest.raises(TritonUnavailable) as failed:
            await s.infer(PERSONS, FRAME)  # within the retry interval: that failure, said
        assert not isinstance(failed.value, TritonStarting) and s._opening is first
        await asyncio.sleep(0.25)
        with pytest.raises(TritonStarting):
            await s.infer(PERSONS, FRAME)
        assert s._opening is not first  # tried again
        assert await s.stats() == {}


async def test_requests_never_wait_for_a_server_that_is_starting(monkeypatch) -> None:
    """A plan's neural nodes fail at once while Triton starts, so frames are not held up."""
    started = asyncio.Event()

    async def slow_open(self):  # type: ignore[no-untyped-def]
        started.set()
        await asyncio.sleep(30)

    monkeypatch.setattr(session_mod.LazyTriton, "_open", slow_open)
    async with session_mod.triton_session((PERSONS,), None, lazy=True) as s:
        for _ in range(3):
            begun = time.perf_counter()
            with pytest.raises(TritonStarting, match="persons: Triton is starting"):
                await s.infer(PERSONS, FRAME)
            assert time.perf_counter() - begun < 0.05
        await asyncio.wait_for(started.wait(), 1)
        s._opening.cancel()  # type: ignore[union-attr]
