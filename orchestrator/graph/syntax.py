"""What a client writes to ask for features, parsed once for every transport.

Text (the CLI's `--features`, HTTP query strings, WebSocket strings):

    persons(min_score=0.3),motion(every=3),faces.expression.smoothed(window=30)

Commas split features only at the top level, so parameter lists keep theirs. Inside the
parentheses, `name=value` pairs set parameters; `rate=` (per second) and `every=` (k-th
frame) set that feature's rate. Structured (WebSocket messages, gRPC):

    {"name": "persons", "params": {"min_score": 0.3}, "every": 3}

Both become a `FeatureRequest`, the typed form another transport maps to. Values stay raw
here; `request.resolve` checks them against the catalog.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
_ARG = re.compile(r"^[a-z_][a-z0-9_]*$")
_FIELDS = frozenset({"name", "params", "rate", "every"})


class RequestSyntaxError(ValueError):
    """A request that cannot be read; the message quotes the offending part."""


@dataclass(frozen=True)
class FeatureRequest:
    """One requested feature: its name, raw parameter values and, optionally, its own rate."""

    name: str
    params: tuple[tuple[str, Any], ...] = ()
    rate: Any = None  # frames per second
    every: Any = None  # every k-th frame

    @property
    def has_rate(self) -> bool:
        return self.rate is not None or self.every is not None


Raw = str | Mapping[str, Any] | FeatureRequest


def parse_features(raw: Raw | Sequence[Raw] | None) -> list[FeatureRequest]:
    """`"a,b(x=1)"`, a list of such strings and/or structured objects, or None."""
    if raw is None:
        return []
    items: Sequence[Raw] = [raw] if isinstance(raw, str | Mapping | FeatureRequest) else raw
    if isinstance(items, str | bytes) or not isinstance(items, Sequence):
        raise RequestSyntaxError("features must be a string 'a,b' or a list")
    out: list[FeatureRequest] = []
    for item in items:
        if isinstance(item, FeatureRequest):
            out.append(item)
        elif isinstance(item, str):
            out.extend(parse_feature(part) for part in split_top_level(item))
        elif isinstance(item, Mapping):
            out.append(from_mapping(item))
        else:
            raise RequestSyntaxError(f"a feature is a string or an object, not {item!r}")
    return out


def split_top_level(text: str) -> list[str]:
    """Split at commas outside parentheses; empty parts are dropped."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise RequestSyntaxError(f"unbalanced ')' in {text!r}")
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    if depth:
        raise RequestSyntaxError(f"unclosed '(' in {text!r}")
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def parse_feature(text: str) -> FeatureRequest:
    """`name` or `name(k=v, ...)`."""
    text = text.strip()
    name, _, rest = text.partition("(")
    name = name.strip()
    if not _NAME.match(name):
        raise RequestSyntaxError(f"{text!r}: a feature name is lowercase dotted words")
    if not rest:
        return FeatureRequest(name)
    if not rest.endswith(")") or "(" in rest or ")" in rest[:-1]:
        raise RequestSyntaxError(f"{text!r}: write name(param=value, ...)")
    pairs: dict[str, Any] = {}
    for item in split_top_level(rest[:-1]):
        key, eq, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not eq or not _ARG.match(key) or not value:
            raise RequestSyntaxError(f"{text!r}: {item!r} is not param=value")
        if key in pairs:
            raise RequestSyntaxError(f"{text!r}: {key} given twice")
        pairs[key] = value
    return _request(name, pairs, text)


def from_mapping(obj: Mapping[str, Any]) -> FeatureRequest:
    """{"name": ..., "params": {...}, "rate" | "every": ...}."""
    extra = set(obj) - _FIELDS
    name = obj.get("name")
    if extra or not isinstance(name, str) or not _NAME.match(name):
        raise RequestSyntaxError(
            f'a structured feature is {{"name": "a.b", "params": {{...}}, '
            f'"rate" or "every": ...}}, not {dict(obj)!r}'
        )
    params = obj.get("params") or {}
    if not isinstance(params, Mapping) or not all(isinstance(k, str) for k in params):
        raise RequestSyntaxError(f"{name}: params must be an object of name: value")
    pairs = {**params}
    for word in ("rate", "every"):
        if obj.get(word) is not None:
            if word in pairs:
                raise RequestSyntaxError(f"{name}: {word} given twice")
            pairs[word] = obj[word]
    return _request(name, pairs, name)


def _request(name: str, pairs: dict[str, Any], where: str) -> FeatureRequest:
    rate, every = pairs.pop("rate", None), pairs.pop("every", None)
    return FeatureRequest(name, tuple(sorted(pairs.items())), rate, every)
