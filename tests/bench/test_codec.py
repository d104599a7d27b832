from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pytest

from orchestrator.bench.codec import from_json, mapping_from_json, omitted_if_none, to_json


@dataclass(frozen=True)
class Inner:
    n: int
    share: float | None


@dataclass(frozen=True)
class Outer:
    name: str
    mode: Literal["paced", "unpaced"]
    sizes: tuple[int, ...]
    inner: dict[str, Inner]
    rows: list[Inner] = field(default_factory=list)
    note: str | None = omitted_if_none()


VALUE = Outer("a", "paced", (1, 2), {"x": Inner(1, None)}, [Inner(2, 0.5)])


def test_round_trip_in_field_order_with_optional_fields_left_out() -> None:
    data = to_json(VALUE)
    assert list(data) == ["name", "mode", "sizes", "inner", "rows"]  # no "note"
    assert data["sizes"] == [1, 2] and data["inner"]["x"] == {"n": 1, "share": None}
    assert from_json(Outer, data) == VALUE
    assert to_json(from_json(Outer, data | {"note": "n"}))["note"] == "n"


def test_defaults_fill_what_an_older_file_lacks() -> None:
    data = to_json(VALUE)
    del data["rows"]
    assert from_json(Outer, data).rows == []


def test_an_int_reads_as_a_float_and_stays_as_written() -> None:
    assert from_json(Inner, {"n": 1, "share": 2}).share == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": None}, r"\$\.name: expected str, got NoneType"),
        ({"mode": "fast"}, r"\$\.mode: 'fast' is not one of"),
        ({"sizes": [1, "2"]}, r"\$\.sizes\[1\]: expected int, got str"),
        ({"inner": {"x": {"n": True, "share": None}}}, r"\$\.inner\.x\.n: expected int"),
        ({"inner": {"x": {"n": 1}}}, r"\$\.inner\.x: Inner needs 'share'"),
        ({"extra": 1}, r"\$: unknown field\(s\) \['extra'\] for Outer"),
    ],
)
def test_what_does_not_fit_is_named_by_its_path(change: dict, message: str) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        from_json(Outer, to_json(VALUE) | change)


def test_a_mapping_of_dataclasses() -> None:
    assert mapping_from_json(Inner, {"a": {"n": 1, "share": 0.1}}) == {"a": Inner(1, 0.1)}
    with pytest.raises(TypeError, match=r"\$: expected dict, got list"):
        mapping_from_json(Inner, [])
