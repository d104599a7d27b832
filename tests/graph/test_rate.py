"""Rates: every k-th frame by number, r per second by timestamps, checked once."""

from __future__ import annotations

import pytest

from orchestrator.graph import Rate, RateError
from orchestrator.graph.rate import EVERY_FRAME


def frames(rate: Rate, timestamps: list[float]) -> list[int]:
    prev = None
    out = []
    for seq, ts in enumerate(timestamps):
        if rate.due(seq, ts, prev):
            out.append(seq)
        prev = ts
    return out


def test_every_k_is_aligned_to_frame_numbers() -> None:
    assert frames(Rate.of(every=3), [0.0] * 10) == [0, 3, 6, 9]
    assert Rate.of(every="1") is EVERY_FRAME and Rate.of() is EVERY_FRAME


def test_rate_takes_the_first_frame_of_each_slot_of_the_clock() -> None:
    ten_fps = [100.0 + i / 10 for i in range(20)]  # 2 seconds at 10 frames per second
    assert frames(Rate.of(rate=2), ten_fps) == [0, 5, 10, 15]
    assert frames(Rate.of(rate="1"), ten_fps) == [0, 10]
    jittery = [100.0, 100.3, 100.49, 100.51, 100.6, 101.2]
    assert frames(Rate.of(rate=2), jittery) == [0, 3, 5]
    assert frames(Rate.of(rate=100), ten_fps) == list(range(20))  # faster than the stream


@pytest.mark.parametrize(
    ("rate", "every", "message"),
    [
        (2, 3, "not both"),
        (0, None, "rate must be a number of frames per second"),
        ("fast", None, "rate must be"),
        (None, 0, "every must be an integer from 1"),
        (None, 2.5, "every must be an integer"),
        (None, True, "every must be an integer"),
    ],
)
def test_bad_rates_are_refused(rate: object, every: object, message: str) -> None:
    with pytest.raises(RateError, match=message):
        Rate.of(rate, every)


def test_descriptions() -> None:
    assert Rate.of(every=3).describe() == "every 3 frames"
    assert Rate.of(rate=2).to_json() == {"rate": 2.0}
    assert EVERY_FRAME.describe() == "every frame" and EVERY_FRAME.to_json() is None
