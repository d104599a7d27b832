"""Feature parameters: typed, bounded settings a client chooses per request.

A parameter is a keyword-only argument of the feature function whose default is `Param`:

    @feature("persons")
    def persons(persons_detections, *, min_score: float = Param(0.5, ge=0.1, le=1.0)): ...

Its type is the annotation (`int`, `float` or `bool`); `ge`/`le` bound it. Values arrive as
text (`persons(min_score=0.3)` in a query string) or JSON, and are checked here once, into
the declared type, so a node is keyed by canonical values (`0.30` and `0.3` are one node).
`Param` returns `Any` (like pydantic's `Field`) so the function stays typed as written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

Value = int | float | bool
TYPES: dict[str, type] = {"int": int, "float": float, "bool": bool}
RESERVED = frozenset({"rate", "every"})  # request-level words, never feature parameters
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}


class ParamError(ValueError):
    """A parameter value (or name) a feature does not accept; the message names both."""

    def __init__(self, feature: str, param: str, message: str) -> None:
        super().__init__(f"{feature}: {message}")
        self.feature = feature
        self.param = param


@dataclass(frozen=True)
class Parameter:
    """One declared parameter; `name` and `kind` are filled from the function signature."""

    default: Value
    ge: float | None = None
    le: float | None = None
    doc: str = ""
    name: str = ""
    kind: str = "float"  # int | float | bool

    def named(self, name: str, kind: str) -> Parameter:
        return replace(self, name=name, kind=kind)

    @property
    def bounds(self) -> str:
        """The accepted range in words, for errors and the catalog."""
        if self.kind == "bool":
            return "true or false"
        what = "an int" if self.kind == "int" else "a float"
        if self.ge is not None and self.le is not None:
            return f"{what} from {_text(self.ge)} to {_text(self.le)}"
        if self.ge is not None:
            return f"{what} >= {_text(self.ge)}"
        if self.le is not None:
            return f"{what} <= {_text(self.le)}"
        return what

    def check(self, feature: str, raw: object) -> Value:
        """`raw` (text or JSON) as this parameter's type, within bounds; else `ParamError`."""
        value = self._coerce(raw)
        if value is None or (
            self.kind != "bool"
            and (
                (self.ge is not None and value < self.ge)
                or (self.le is not None and value > self.le)
            )
        ):
            default = format_value(self.default)
            raise ParamError(
                feature,
                self.name,
                f"parameter {self.name} must be {self.bounds} (default {default}), not {raw!r}",
            )
        return value

    def _coerce(self, raw: object) -> Value | None:
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower() if isinstance(raw, str | int) else ""
            return True if text in _TRUE else False if text in _FALSE else None
        if isinstance(raw, bool):
            return None
        try:
            number = float(raw.strip()) if isinstance(raw, str) else float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        if not math.isfinite(number):
            return None
        if self.kind == "int":
            return int(number) if number.is_integer() else None
        return number

    def describe(self) -> dict[str, Any]:
        """The catalog entry clients see."""
        return {
            "name": self.name,
            "type": self.kind,
            "default": self.default,
            "min": self.ge,
            "max": self.le,
            "doc": self.doc,
        }


def Param(
    default: Value, *, ge: float | None = None, le: float | None = None, doc: str = ""
) -> Any:
    """Declare a keyword-only feature argument as a client-settable parameter."""
    return Parameter(default, ge, le, doc)


def format_value(value: Value) -> str:
    """Canonical text of a value, as printed in node keys: `0.3`, `30`, `true`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def _text(bound: float) -> str:
    return format_value(int(bound)) if float(bound).is_integer() else format_value(bound)
