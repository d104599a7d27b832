"""The frame record: one decoded frame and everything computed on it.

`results[feature]` holds raw values (numpy-backed dataclasses); they are serialised once
per frame at delivery, however many clients receive them. The image and the model inputs
are released as soon as the frame is finished, so that the ring of past frames kept for
windows holds only small results.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from orchestrator.engine.timing import NodeTiming
from orchestrator.models.deadline import Deadline


@dataclass(frozen=True)
class FrameInfo:
    """What a feature may know about its frame besides pixels."""

    seq: int
    ts: float  # wall-clock arrival on stdin, seconds since the epoch
    width: int
    height: int
    # The encoded input as it arrived (e.g. JPEG bytes) and its format ("JPEG", "PNG"), so
    # that a feature can pass it on unchanged instead of re-encoding the pixels; released
    # with the pixels when the frame is done.
    source: bytes | None = field(default=None, repr=False, compare=False)
    source_format: str = ""


@dataclass(frozen=True)
class FeatureError:
    """Why a feature has no result on a frame; `cause` names the failed prerequisite."""

    message: str
    cause: str | None = None


@dataclass
class Frame:
    seq: int
    ts: float
    arrived: float  # time.perf_counter() at arrival, for end-to-end latency
    image: np.ndarray | None = None
    results: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, FeatureError] = field(default_factory=dict)
    warming_up: dict[str, bool] = field(default_factory=dict)  # sliding windows only
    window_from: dict[str, int] = field(default_factory=dict)  # sliding: oldest frame read
    info: FrameInfo | None = None
    timings: dict[str, NodeTiming] = field(default_factory=dict)  # nodes computed here
    queue_seconds: float = 0.0  # arrival to decode start
    decode_seconds: float = 0.0  # this frame's share of its decode batch
    deadline: Deadline | None = None  # failed remote calls are retried only until then
    wants: dict[int, frozenset[Any]] = field(default_factory=dict)  # subscriber -> keys due here
    prev_ts: float | None = None  # the previous input line's ts (rates by timestamp)

    def __post_init__(self) -> None:
        if self.info is None and self.image is not None:
            h, w = self.image.shape[:2]
            self.info = FrameInfo(self.seq, self.ts, w, h)

    def release(self, large: Iterable[str] = ()) -> None:
        """Drop the pixels, the encoded input and the `large` intermediates (model inputs)
        once nothing reads them again."""
        self.image = None
        if self.info is not None and self.info.source is not None:
            self.info = replace(self.info, source=None)
        for name in large:
            self.results.pop(name, None)
