"""Remote resources a plan needs (Triton), opened for the length of a run.

Plans without neural features open nothing; plans with them connect to the given Triton
or start the embedded one, and close it at exit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

Resources = dict[str, Any]
ExtraStats = Callable[[], Awaitable[dict[str, Any]]]


async def _no_stats() -> dict[str, Any]:
    return {}


@asynccontextmanager
async def open_resources(
    models: tuple[str, ...], triton_url: str | None, *, lazy: bool = False
) -> AsyncIterator[tuple[Resources, ExtraStats]]:
    """Yield (resources for the executor, a coroutine giving per-run stats of those resources).

    `lazy` (for `serve`, whose plan changes at run time): connect, or start the embedded
    server, only when a plan first needs a model; `models` are then all the catalog's.
    """
    if not models:
        yield {}, _no_stats
        return
    from orchestrator.triton.session import triton_session

    async with triton_session(models, triton_url, lazy=lazy) as session:
        yield {"triton": session}, session.stats
