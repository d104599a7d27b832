"""Outcomes and the JSON events made from them.

Every input line ends as exactly one `Outcome`: a result (the frame's plan ran), an error
(the line is not a usable frame) or a drop (with the reason). Events are encoded once
per distinct feature subset, so a hundred clients on the same subset cost one encoding.

Numbers follow one rule, applied here to every feature value (`to_jsonable`): a float is
written with the precision it was computed in. Nets compute in float32, and a float32
such as 70.1 widened to a Python float reads 70.0999984741211; so a float that holds a
float32 value exactly is written as that float32, in the shortest form that reads back
to it (70.1), and any other float as the shortest form of the float64 it is. Features
round to what is meaningful (boxes to 0.1 pixel, scores to 3 decimals); this rule makes
sure that what they rounded is what clients read.
"""

from __future__ import annotations

import dataclasses
import struct
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import orjson

from orchestrator.engine.frame import Frame

Kind = Literal["result", "error", "dropped"]
_ORJSON = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


_FLOAT32 = struct.Struct("f")
_MATRIX_ROWS = 8  # from this many rows a list of float lists is checked as one array


def dumps(value: Any) -> bytes:
    """JSON bytes of event or feature values (numpy scalars and arrays included), the one
    encoder every transport uses."""
    return orjson.dumps(value, option=_ORJSON)


def clean_float(x: float) -> float | np.float32:
    """The float rule (module docstring): a float32 value as a float32, which orjson
    writes in its shortest form; any other float (NaN and infinities: null) unchanged."""
    try:
        if _FLOAT32.unpack(_FLOAT32.pack(x))[0] == x:
            return np.float32(x)
    except OverflowError:  # beyond float32's range
        pass
    return x


def _float_rows(rows: list[Any] | tuple[Any, ...]) -> bool:
    """Rows of floats, all of one length (points, key points)?"""
    first = rows[0]
    if type(first) is not list:
        return False
    width = len(first)
    return all(
        type(row) is list and len(row) == width and all(type(x) is float for x in row)
        for row in rows
    )


def clean_numbers(value: Any) -> Any:
    """`value` with every float under the float rule: dicts, lists and tuples walked,
    numpy scalars and arrays that hold float32 values narrowed to float32."""
    kind = type(value)
    if kind is float:
        return clean_float(value)
    if kind is dict:
        return {k: clean_numbers(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        if len(value) >= _MATRIX_ROWS and _float_rows(value):  # 468 landmarks: one array
            narrow = _narrow(np.array(value))
            if narrow.dtype == np.float32:
                return narrow
        return [clean_numbers(v) for v in value]
    if isinstance(value, np.ndarray):
        return _narrow(value)
    if isinstance(value, np.floating):
        return clean_float(float(value))
    if isinstance(value, np.generic):
        return value.item()
    return value


def _narrow(array: np.ndarray) -> np.ndarray:
    """A float64 array of float32 values as float32 (orjson writes those shortest)."""
    if array.dtype == np.float64:
        narrow = array.astype(np.float32)
        if np.array_equal(narrow, array):
            return narrow
    return array


def to_jsonable(value: Any, warming_up: bool | None = None, from_frame: int | None = None) -> Any:
    """A feature value in the form orjson writes, numbers under the float rule; sliding
    windows gain `warming_up` and `from_frame` (the oldest frame their window read)."""
    if hasattr(value, "to_json"):
        value = value.to_json()
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    value = clean_numbers(value)
    if warming_up is None:
        return value
    extra: dict[str, Any] = {"warming_up": warming_up}
    if from_frame is not None:
        extra["from_frame"] = from_frame
    if isinstance(value, dict):
        return {**value, **extra}
    return {"value": value, **extra}


@dataclass
class Outcome:
    seq: int
    ts: float
    kind: Kind
    frame: Frame | None = None
    code: str = ""  # error code or drop reason
    message: str = ""
    arrived: float = 0.0  # perf_counter at arrival
    published: float = 0.0  # perf_counter when handed to subscribers
    holds_slot: bool = True  # counted among the pipeline's frames in flight until published
    timing: dict[str, float] | None = None  # queue/decode/triton seconds, with --timings
    prev_ts: float | None = None  # the previous input line's ts (rates by timestamp)
    _values: dict[str, Any] = field(default_factory=dict, repr=False)
    _encoded: dict[frozenset[str], bytes] = field(default_factory=dict, repr=False)

    @property
    def latency(self) -> float:
        return (self.published or time.perf_counter()) - self.arrived

    def value(self, feature: str) -> Any:
        """The feature's JSON form, converted once per frame."""
        if feature not in self._values:
            frame = self.frame
            assert frame is not None
            self._values[feature] = to_jsonable(
                frame.results[feature],
                frame.warming_up.get(feature),
                frame.window_from.get(feature),
            )
        return self._values[feature]

    def event(self, features: frozenset[str]) -> dict[str, Any]:
        """The event one subscriber receives: exactly its features."""
        head: dict[str, Any] = {"type": self.kind, "frame": self.seq, "ts": round(self.ts, 3)}
        if self.kind == "error":
            return {**head, "error": {"code": self.code, "message": self.message}}
        if self.kind == "dropped":
            return {**head, "reason": self.code, "message": self.message}
        frame = self.frame
        assert frame is not None
        results = {n: self.value(n) for n in sorted(features) if n in frame.results}
        errors = {n: frame.errors[n].message for n in sorted(features) if n in frame.errors}
        event = {
            **head,
            "latency_ms": round(self.latency * 1000, 2),
            "features": results,
            "errors": errors,
        }
        if self.timing is not None:
            event["timing"] = self._timing_ms()
        return event

    def _timing_ms(self) -> dict[str, float]:
        """Where the latency went: queue, decode, Triton and feature code on the critical
        path; `overhead` is what is left, the orchestrator itself."""
        assert self.timing is not None
        ms = {f"{k}_ms": round(v * 1000, 3) for k, v in self.timing.items()}
        spent = sum(self.timing.values())
        return {**ms, "overhead_ms": round((self.latency - spent) * 1000, 3)}

    def encode(self, features: frozenset[str]) -> bytes:
        """The event as one JSON line (no newline), cached per feature subset."""
        key = features if self.kind == "result" else frozenset()
        data = self._encoded.get(key)
        if data is None:
            data = self._encoded[key] = orjson.dumps(self.event(features), option=_ORJSON)
        return data
