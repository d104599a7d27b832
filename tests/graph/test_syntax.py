"""The request syntax: top-level commas, parameters in parentheses, structured objects."""

from __future__ import annotations

import pytest

from orchestrator.graph import FeatureRequest, RequestSyntaxError
from orchestrator.graph.syntax import parse_features, split_top_level


def test_commas_split_only_at_the_top_level() -> None:
    assert split_top_level(" persons(min_score=0.3, every=3), motion ,,scene.cut") == [
        "persons(min_score=0.3, every=3)",
        "motion",
        "scene.cut",
    ]


def test_text_and_structured_forms_give_the_same_requests() -> None:
    text = parse_features("persons(min_score=0.3,every=3),motion")
    structured = parse_features(
        [{"name": "persons", "params": {"min_score": "0.3"}, "every": "3"}, "motion"]
    )
    assert (
        text
        == structured
        == [
            FeatureRequest("persons", (("min_score", "0.3"),), None, "3"),
            FeatureRequest("motion"),
        ]
    )
    assert parse_features(["a,b", "c()"]) == [FeatureRequest(n) for n in "abc"]
    assert parse_features(None) == [] and parse_features("") == []
    assert parse_features(FeatureRequest("x", rate=2)) == [FeatureRequest("x", rate=2)]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("persons(min_score=0.3", "unclosed '\\('"),
        ("persons)", "unbalanced '\\)'"),
        ("Persons", "lowercase dotted words"),
        ("persons(min_score)", "'min_score' is not param=value"),
        ("persons(a=1,a=2)", "a given twice"),
        ("persons(a=1)x", "write name\\(param=value"),
        ([{"name": "persons", "weird": 1}], "a structured feature is"),
        ([{"name": "persons", "params": [1]}], "params must be an object"),
        ([{"name": "p", "params": {"every": 2}, "every": 3}], "every given twice"),
        ([3], "a feature is a string or an object"),
    ],
)
def test_unreadable_requests_quote_what_is_wrong(raw: object, message: str) -> None:
    with pytest.raises(RequestSyntaxError, match=message):
        parse_features(raw)  # type: ignore[arg-type]
