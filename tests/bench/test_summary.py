from __future__ import annotations

import pytest

from orchestrator.bench.summary import pct


def test_percentiles() -> None:
    stats = pct(float(v) for v in range(1, 101))
    assert stats is not None
    assert stats.n == 100 and stats.max == 100.0
    assert stats.p50 == pytest.approx(50.5)
    assert stats.p99 == pytest.approx(99.01)


def test_nothing_to_summarise() -> None:
    assert pct([]) is None
    assert pct([None, None]) is None
