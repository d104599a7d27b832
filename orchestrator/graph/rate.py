"""Rates: on which frames a client wants a feature.

- every frame (the default);
- `every=k`: frames whose number is a multiple of k (0, k, 2k, ...), aligned to the stream,
  so all clients at one k share their frames;
- `rate=r` per second, by frame timestamps: the first frame of each 1/r-second slot of the
  epoch clock, i.e. frame n when floor(ts_n * r) differs from floor(ts_(n-1) * r). Slots are
  aligned to the clock, so clients at one rate share their frames too.

Both are pure functions of the frame's number, its timestamp and its predecessor's, so the
planner (which frames run a node) and delivery (which frames a client gets, including
frames that were dropped or could not be decoded) always agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

MAX_RATE = 1000.0
MAX_EVERY = 1_000_000


class RateError(ValueError):
    """A rate that cannot be honoured; the message says what is accepted."""


@dataclass(frozen=True)
class Rate:
    per_second: float | None = None
    every: int | None = None

    @classmethod
    def of(cls, rate: object = None, every: object = None, where: str = "") -> Rate:
        """Check `rate` (per second) or `every` (k-th frame), text or JSON; one at most."""
        prefix = f"{where}: " if where else ""
        if _given(rate) and _given(every):
            raise RateError(f"{prefix}give rate (per second) or every (k-th frame), not both")
        if _given(every):
            k = _number(every)
            if k is None or not k.is_integer() or not 1 <= k <= MAX_EVERY:
                raise RateError(
                    f"{prefix}every must be an integer from 1 to {MAX_EVERY}, not {every!r}"
                )
            return cls(every=int(k)) if k > 1 else EVERY_FRAME
        if _given(rate):
            r = _number(rate)
            if r is None or not 0 < r <= MAX_RATE:
                raise RateError(
                    f"{prefix}rate must be a number of frames per second in (0, {MAX_RATE:g}], "
                    f"not {rate!r}"
                )
            return cls(per_second=r)
        return EVERY_FRAME

    @property
    def full(self) -> bool:
        return self.per_second is None and self.every is None

    def due(self, seq: int, ts: float, prev_ts: float | None) -> bool:
        """Is frame `seq` (arrived at `ts`, its predecessor at `prev_ts`) one of this rate's?"""
        if self.every is not None:
            return seq % self.every == 0
        if self.per_second is not None:
            r = self.per_second
            return prev_ts is None or math.floor(ts * r) != math.floor(prev_ts * r)
        return True

    def describe(self) -> str:
        if self.every is not None:
            return f"every {self.every} frames"
        if self.per_second is not None:
            return f"{self.per_second:g} per second"
        return "every frame"

    def to_json(self) -> dict[str, Any] | None:
        """{"every": k} or {"rate": r}; None for every frame."""
        if self.every is not None:
            return {"every": self.every}
        if self.per_second is not None:
            return {"rate": self.per_second}
        return None


EVERY_FRAME = Rate()


def _given(value: object) -> bool:
    return value is not None and value != ""


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
