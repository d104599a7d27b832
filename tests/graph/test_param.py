"""Parameters: declared in the signature, checked into their type and bounds, keyed canonically."""

from __future__ import annotations

import pytest

from orchestrator.graph import Catalog, CatalogError, NodeKey, Param, ParamError, Window
from orchestrator.graph.param import Parameter


@pytest.fixture
def catalog() -> Catalog:
    cat = Catalog()

    @cat.feature("src")
    def src(image): ...

    @cat.feature("thing")
    def thing(
        src,
        *,
        min_score: float = Param(0.5, ge=0.1, le=1.0, doc="threshold"),
        count: int = Param(3, ge=1),
        strict: bool = Param(False),
    ): ...

    return cat.validate()


def test_parameters_come_from_keyword_only_arguments(catalog: Catalog) -> None:
    feat = catalog["thing"]
    assert feat.needs == ("src",)  # parameters never name prerequisites
    assert [(p.name, p.kind, p.default) for p in feat.parameters] == [
        ("min_score", "float", 0.5),
        ("count", "int", 3),
        ("strict", "bool", False),
    ]
    entry = feat.describe()["params"][0]
    assert entry == {
        "name": "min_score",
        "type": "float",
        "default": 0.5,
        "min": 0.1,
        "max": 1.0,
        "doc": "threshold",
    }


def test_keys_drop_defaults_and_print_canonically(catalog: Catalog) -> None:
    feat = catalog["thing"]
    assert feat.key({"min_score": "0.50", "count": 3}) == NodeKey("thing")
    key = feat.key({"strict": "yes", "min_score": "0.30", "count": "7"})
    assert key.params == (("count", 7), ("min_score", 0.3), ("strict", True))
    assert str(key) == "thing(count=7,min_score=0.3,strict=true)"
    assert feat.key({"min_score": 1}) == NodeKey("thing", (("min_score", 1.0),))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"min_score": 3},
            "thing: parameter min_score must be a float from 0.1 to 1 (default 0.5)",
        ),
        ({"min_score": "low"}, "parameter min_score must be a float from 0.1 to 1"),
        ({"min_score": True}, "parameter min_score must be a float"),
        ({"min_score": "nan"}, "parameter min_score must be a float"),
        ({"count": 2.5}, "parameter count must be an int >= 1 (default 3)"),
        ({"count": 0}, "parameter count must be an int >= 1"),
        ({"strict": "maybe"}, "parameter strict must be true or false"),
        ({"min_scor": 0.3}, "no parameter 'min_scor'; it takes min_score (a float from 0.1 to 1)"),
    ],
)
def test_bad_values_name_the_feature_the_parameter_and_its_bounds(
    catalog: Catalog, raw: dict, message: str
) -> None:
    with pytest.raises(ParamError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        catalog["thing"].key(raw)
    assert err.value.feature == "thing"


def test_a_feature_without_parameters_says_so(catalog: Catalog) -> None:
    with pytest.raises(ParamError, match="src: no parameter 'x'; it takes no parameters"):
        catalog["src"].key({"x": 1})


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def bad(src, *, k=1): ...", "keyword-only argument 'k' needs a Param"),
        ("def bad(src, *, k: str = Param('a')): ...", "must be annotated int, float or bool"),
        ("def bad(src, *, every: int = Param(2)): ...", "'every' is reserved for rates"),
        ("def bad(src, *, k: int = Param(0, ge=1)): ...", "default out of bounds"),
    ],
)
def test_misdeclared_parameters_are_catalog_errors(source: str, message: str) -> None:
    cat = Catalog()

    @cat.feature("src")
    def src(image): ...

    ns: dict = {"Param": Param}
    exec(source, ns)
    cat.feature("bad")(ns["bad"])
    with pytest.raises(CatalogError, match=rf"feature 'bad': .*{message}"):
        cat.validate()


def test_a_window_sized_by_a_parameter_takes_its_default_and_needs_an_int() -> None:
    cat = Catalog()

    @cat.feature("src")
    def src(image): ...

    @cat.feature("win", window=Window.last("n"))
    def win(src, *, n: int = Param(4, ge=2, le=10)): ...

    cat.validate()
    feat = cat["win"]
    assert feat.window.frames == 4 and feat.window.sliding
    assert feat.frames(feat.key({"n": 7})) == 7 and feat.frames(feat.key()) == 4

    bad = Catalog()

    @bad.feature("src")
    def src2(image): ...

    @bad.feature("win", window=Window.last("n"))
    def win2(src, *, n: float = Param(4.0, ge=2)): ...

    with pytest.raises(CatalogError, match="its window length names 'n'"):
        bad.validate()


def test_bounds_in_words() -> None:
    assert Parameter(1, ge=0, kind="int").bounds == "an int >= 0"
    assert Parameter(1.0, le=2.5).bounds == "a float <= 2.5"
    assert Parameter(1.0).bounds == "a float"
