"""A live server for client tests: real uvicorn on loopback, stdin a pipe."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from orchestrator.http import Settings
from orchestrator.http.testing import LiveServer
from orchestrator.stream.pipeline import PipelineConfig

TOKEN = "client-test-token"


@pytest.fixture
async def live() -> AsyncIterator[LiveServer]:
    async with LiveServer(Settings(token=TOKEN), PipelineConfig(lossless=True)) as server:
        yield server


@pytest.fixture
def token() -> str:
    return TOKEN
