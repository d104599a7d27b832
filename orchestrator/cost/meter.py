"""A moving sum over the last seconds, in one-second buckets: recent rates and means.

Amounts (seconds of compute) and counts (computations) go into the bucket of the second
they are reported in; `per_second` divides the sum of the last complete seconds by the
horizon (or by the meter's age, while that is shorter), `mean` the recent sum (the current
second included) by the recent count.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

Clock = Callable[[], float]


class Meter:
    def __init__(self, horizon_s: float = 10.0, clock: Clock = time.monotonic) -> None:
        self.horizon = horizon_s
        self.clock = clock
        self.started = clock()
        self._buckets: deque[list[float]] = deque()  # [second, amount, count]

    def add(self, amount: float, count: int = 0) -> None:
        second = math.floor(self.clock())
        if self._buckets and self._buckets[-1][0] == second:
            self._buckets[-1][1] += amount
            self._buckets[-1][2] += count
        else:
            self._buckets.append([second, amount, count])
        self._trim()

    def _recent(self, complete: bool = False) -> tuple[float, float]:
        self._trim()
        now = math.floor(self.clock())
        kept = [b for b in self._buckets if not complete or b[0] < now]
        return sum(b[1] for b in kept), sum(b[2] for b in kept)

    def per_second(self) -> float:
        span = min(self.horizon, max(1.0, math.floor(self.clock()) - math.floor(self.started)))
        return self._recent(complete=True)[0] / span

    def mean(self, counts: Meter | None = None) -> float | None:
        """Recent amount per recent count (of this meter, or of `counts`)."""
        amount, count = self._recent()
        if counts is not None:
            count = counts._recent()[1]
        return amount / count if count else None

    def _trim(self) -> None:
        oldest = math.floor(self.clock()) - self.horizon
        while self._buckets and self._buckets[0][0] < oldest:
            self._buckets.popleft()
