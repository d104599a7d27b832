"""The float rule: every float of a feature's JSON is written at the precision it has."""

from __future__ import annotations

import numpy as np
import orjson
from hypothesis import given
from hypothesis import strategies as st

from orchestrator.delivery.events import to_jsonable


def written(value: object) -> bytes:
    return orjson.dumps(to_jsonable(value), option=orjson.OPT_SERIALIZE_NUMPY)


def test_float32_values_are_written_as_float32_and_others_as_they_are() -> None:
    box = np.array([70.1, 12.25], np.float32)
    value = {
        "widened": float(box[0]),  # 70.0999984741211 when written as a float64
        "rounded": np.round(np.array([0.6244], np.float32), 3).tolist(),
        "float64": [0.1, 1718000000.123, 7888.5],
        "scalars": [np.float32(0.3), np.float64(0.25), np.int64(3)],
        "others": [True, None, 3, "x", float("nan"), float("inf")],
        "array64": box.astype(np.float64),
        "points": np.round(np.full((468, 2), 70.1, np.float32), 1).tolist(),
        "mixed_rows": [[0.1, 1.0]] * 9,
        "int_rows": [[1, 2]] * 9,
    }
    assert orjson.loads(written(value)) == {
        "widened": 70.1,
        "rounded": [0.624],
        "float64": [0.1, 1718000000.123, 7888.5],
        "scalars": [0.3, 0.25, 3],
        "others": [True, None, 3, "x", None, None],
        "array64": [70.1, 12.25],
        "points": [[70.1, 70.1]] * 468,
        "mixed_rows": [[0.1, 1.0]] * 9,
        "int_rows": [[1, 2]] * 9,  # ints stay ints
    }


def test_warming_up_is_added_to_dicts_and_wraps_the_rest() -> None:
    assert to_jsonable({"a": 1}, warming_up=True) == {"a": 1, "warming_up": True}
    assert to_jsonable(2, warming_up=False) == {"value": 2, "warming_up": False}


@given(st.floats(width=32, allow_nan=False, allow_infinity=False))
def test_any_float32_reads_back_exactly_in_its_shortest_form(x: float) -> None:
    single = [x] * 9
    for value in (x, [x], [single] * 9):  # alone, in a list, in a matrix of rows
        text = written(value).decode()
        numbers = [float(t) for t in text.replace("[", " ").replace("]", " ").split(",")]
        assert all(np.float32(n) == np.float32(x) for n in numbers)
        shortest = _digits(repr(np.float32(x)))  # 1e-05 and 0.00001 are both one digit
        assert all(_digits(t.strip(" []")) <= shortest for t in text.split(","))


def _digits(text: str) -> int:
    """Significant digits of a number as written."""
    mantissa = text.lower().lstrip("-").split("e")[0].replace(".", "")
    return max(1, len(mantissa.strip("0")))


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_any_other_float_is_written_as_it_is(x: float) -> None:
    with np.errstate(over="ignore"):
        is_float32 = float(np.float32(x)) == x
    if not is_float32:
        assert orjson.loads(written(x)) == x
