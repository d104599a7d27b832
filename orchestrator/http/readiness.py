"""Readiness, for the probe that asks and for the metric that nobody has to ask for.

`/readyz` checks now: stdin open and, when the live plan uses Triton models, Triton
reachable and those models ready (awaited, with a timeout). The `framegraph_ready` gauge
must be true at scrape time even if no probe ever came (a deployment without a readiness
probe, a Prometheus-only setup), and a scrape must never wait on Triton: so the gauge is
a function evaluated at scrape time from live, local state (stdin, the live plan, the
client's connection) and the last Triton check, which a background task repeats every
`refresh` seconds and every `/readyz` refreshes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any


class Readiness:
    def __init__(
        self,
        stdin_open: Callable[[], bool],
        plan_models: Callable[[], tuple[str, ...]],
        triton: Any | None,
        *,
        timeout: float = 2.0,
        refresh: float = 2.0,
    ) -> None:
        self._stdin_open = stdin_open
        self._plan_models = plan_models
        self._triton = triton
        self.timeout = timeout
        self.refresh = refresh
        self._checked: tuple[frozenset[str], bool] | None = None  # last Triton check

    async def check(self) -> tuple[bool, dict[str, Any]]:
        """Check everything now (Triton only when the live plan needs it): (ready, checks)."""
        stdin_open = self._stdin_open()
        checks: dict[str, Any] = {
            "stdin": {"ok": stdin_open, "detail": "open" if stdin_open else "closed"}
        }
        models = self._plan_models()
        if models:
            ok, detail = await self._ask_triton(models)
            self._checked = (frozenset(models), ok)
            checks["triton"] = {"ok": ok, "detail": detail, "models": list(models)}
        return all(c["ok"] for c in checks.values()), checks

    def now(self) -> bool:
        """Ready as far as is known without waiting: for the gauge, at scrape time."""
        if not self._stdin_open():
            return False
        models = self._plan_models()
        if not models:
            return True
        if self._triton is None or not getattr(self._triton, "healthy", True):
            return False
        checked = self._checked
        return checked is not None and checked[1] and checked[0].issuperset(models)

    async def watch(self) -> None:
        """Check every `refresh` seconds until cancelled."""
        while True:
            with contextlib.suppress(Exception):  # a failed check is a "no", never a crash
                await self.check()
            await asyncio.sleep(self.refresh)

    async def _ask_triton(self, models: tuple[str, ...]) -> tuple[bool, str]:
        triton = self._triton
        if triton is None:
            return False, "no Triton client in this worker"
        try:
            ok, reason = await asyncio.wait_for(triton.ready(models), self.timeout)
        except asyncio.TimeoutError:
            return False, f"Triton did not answer within {self.timeout:g} s"
        except Exception as exc:  # a probe reports, it does not crash
            return False, f"{type(exc).__name__}: {exc}"
        return bool(ok), reason or ("ready" if ok else "not ready")
