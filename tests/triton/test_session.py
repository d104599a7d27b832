"""The lazy session: no server until a plan needs one; a failed connection is retried."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from orchestrator.triton import session as session_mod
from orchestrator.triton.client import TritonUnavailable
from orchestrator.triton.embedded import free_ports


async def test_lazy_session_connects_on_first_use_and_retries_after_failure(monkeypatch) -> None:
    monkeypatch.setattr(session_mod, "RETRY_OPEN_S", 0.05)
    (port,) = free_ports(1)
    async with session_mod.triton_session(("persons",), f"127.0.0.1:{port}", lazy=True) as s:
        assert s.client is None and await s.ready(()) == (True, "ok")
        assert await s.ready(("persons",)) == (False, "connecting to Triton")
        await asyncio.sleep(0.01)
        assert s._opening is not None  # the probe started the connection
        frame = np.zeros((1, 300, 300, 3), np.uint8)
        with pytest.raises(TritonUnavailable):
            await s.infer("persons", frame)
        first = s._opening
        with pytest.raises(TritonUnavailable):
            await s.infer("persons", frame)  # within the retry interval: the same failure
        assert s._opening is first
        await asyncio.sleep(0.06)
        with pytest.raises(TritonUnavailable):
            await s.infer("persons", frame)
        assert s._opening is not first  # tried again
        assert await s.stats() == {}
