"""Moving sums: recent rate per second and mean per count, on an injected clock."""

from __future__ import annotations

from orchestrator.cost.meter import Meter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_and_mean_over_the_horizon() -> None:
    clock = Clock()
    seconds, counts = Meter(10, clock), Meter(10, clock)
    for _ in range(20):  # 20 s of 0.5 s of compute per second, 5 computations each
        seconds.add(0.5)
        counts.add(0.0, 5)
        clock.now += 1
    assert seconds.per_second() == 0.5  # the last 10 s only
    assert seconds.mean(counts) == 0.1
    clock.now += 30
    assert seconds.per_second() == 0.0 and seconds.mean(counts) is None


def test_a_young_meter_divides_by_its_age() -> None:
    clock = Clock()
    m = Meter(10, clock)
    m.add(1.0)
    clock.now += 2
    assert m.per_second() == 0.5
