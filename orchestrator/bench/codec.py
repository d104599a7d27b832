"""Typed results to JSON and back: dataclasses in the code, the same JSON in the files.

The benchmark's modules hand each other dataclasses; only the edge (writing benchmark.json,
reading it back for `--from-json`, the baselines' subprocesses) sees JSON. Fields made with
`omitted_if_none()` are left out of the JSON when None (the file format predates the types);
every other field is always written, None as null. Reading checks every value against its
annotation and names the path of what does not fit, so an old or hand-edited file fails
with where, rather than with a KeyError deep inside a report.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from typing import Any, TypeVar

T = TypeVar("T")
OMIT = "omitted_if_none"


def omitted_if_none() -> Any:
    """A field that defaults to None and is left out of the JSON while it is None."""
    return dataclasses.field(default=None, metadata={OMIT: True})


def to_json(value: object) -> Any:
    """Dataclasses to dicts (in field order), tuples to lists, everything else as it is."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_json(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not (f.metadata.get(OMIT) and getattr(value, f.name) is None)
        }
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


def from_json(cls: type[T], data: object) -> T:
    """`data` (parsed JSON) as an instance of the dataclass `cls`, checked all the way down."""
    return typing.cast(T, _decode(cls, data, "$"))


def mapping_from_json(cls: type[T], data: object) -> dict[str, T]:
    """A JSON object of `cls` values (e.g. the ceiling's results by net), checked."""
    return typing.cast(dict[str, T], _decode(dict[str, cls], data, "$"))  # type: ignore[valid-type]


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(hint: Any, data: object, path: str) -> object:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1:
            raise TypeError(f"{path}: only `X | None` unions can be read, not {hint}")
        return _decode(rest[0], data, path)
    if origin is typing.Literal:
        if data not in args:
            raise ValueError(f"{path}: {data!r} is not one of {args}")
        return data
    if dataclasses.is_dataclass(hint):
        return _dataclass(typing.cast(type, hint), data, path)
    if origin in (list, tuple):
        items = [_decode(args[0], v, f"{path}[{i}]") for i, v in enumerate(_of(list, data, path))]
        return items if origin is list else tuple(items)
    if origin is dict:
        return {k: _decode(args[1], v, f"{path}.{k}") for k, v in _of(dict, data, path).items()}
    if hint is Any:
        return data
    if hint is float and isinstance(data, int) and not isinstance(data, bool):
        return data  # JSON writes 10.0 as 10.0, but a hand-made file may say 10
    if hint in (int, float) and isinstance(data, bool):
        raise TypeError(f"{path}: expected {hint.__name__}, got a boolean")
    return _of(hint, data, path)


def _dataclass(cls: type, data: object, path: str) -> object:
    given = _of(dict, data, path)
    hints = _hints(cls)
    unknown = sorted(set(given) - set(hints))
    if unknown:
        raise ValueError(f"{path}: unknown field(s) {unknown} for {cls.__name__}")
    values = {}
    for f in dataclasses.fields(cls):
        if f.name in given:
            values[f.name] = _decode(hints[f.name], given[f.name], f"{path}.{f.name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ValueError(f"{path}: {cls.__name__} needs {f.name!r}")
    return cls(**values)


def _of(kind: type[T], data: object, path: str) -> T:
    if not isinstance(data, kind):
        raise TypeError(f"{path}: expected {kind.__name__}, got {type(data).__name__}")
    return data
