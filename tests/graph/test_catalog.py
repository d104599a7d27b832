import pytest

from orchestrator.features import default_catalog
from orchestrator.graph import Catalog, CatalogError, Window
from orchestrator.models import Pixels


def test_parameters_name_prerequisites_and_resources() -> None:
    cat = Catalog()

    @cat.feature("a.b")
    def a_b(image): ...

    @cat.feature("c")
    def c(a_b, frame): ...

    cat.validate()
    assert cat["c"].needs == ("a.b",)
    assert cat["c"].resources == ("frame",)
    assert cat["a.b"].needs == ()


def test_unknown_prerequisite_names_the_feature() -> None:
    cat = Catalog()

    @cat.feature("x")
    def x(nothing_here): ...

    with pytest.raises(CatalogError, match=r"feature 'x': unknown prerequisite 'nothing_here'"):
        cat.validate()


def test_cycle_is_reported() -> None:
    cat = Catalog()

    @cat.feature("a")
    def a(b): ...

    @cat.feature("b")
    def b(a): ...

    with pytest.raises(CatalogError, match="dependency cycle"):
        cat.validate()


def test_duplicate_name() -> None:
    cat = Catalog()

    @cat.feature("a")
    def a(image): ...

    with pytest.raises(CatalogError, match="feature 'a': declared twice"):

        @cat.feature("a")
        def a2(image): ...


def test_bad_name() -> None:
    cat = Catalog()
    with pytest.raises(CatalogError, match="lowercase dotted"):

        @cat.feature("Bad-Name")
        def f(image): ...


@pytest.mark.parametrize(
    ("window", "params", "message"),
    [
        (Window.last(0), "src", "window of 0 frames"),
        (Window.last(3), "image", "cannot take 'image'"),
        (Window.frame(), "src, state", "no state factory"),
        (Window.in_order(dict), "src", "no 'state' parameter"),
    ],
)
def test_window_misuse(window: Window, params: str, message: str) -> None:
    cat = Catalog()

    @cat.feature("src")
    def src(image): ...

    ns: dict = {}
    exec(f"def bad({params}): ...", ns)
    cat.feature("bad", window=window)(ns["bad"])
    with pytest.raises(CatalogError, match=rf"feature 'bad': .*{message}"):
        cat.validate()


def test_alias_collision() -> None:
    cat = Catalog()

    @cat.feature("a.b")
    def f1(image): ...

    @cat.feature("a_b")
    def f2(image): ...

    with pytest.raises(CatalogError, match="also names"):
        cat.validate()


def test_default_catalog_is_valid_and_documented() -> None:
    cat = default_catalog()
    assert {"image.quality", "motion", "scene.cut"} <= set(cat.public())
    for feat in cat:
        assert feat.description, f"{feat.name} has no docstring"


def test_every_public_feature_states_its_json_shape() -> None:
    for feat in default_catalog():
        if feat.public:
            entry = feat.describe()
            assert entry["schema"].startswith("{"), feat.name
            assert entry["schema"].endswith("+ warming_up, from_frame") is feat.window.sliding


def test_a_whole_frame_model_brings_its_input_node_once() -> None:
    from orchestrator.models import CropInput, FrameInput, Model

    finder = Model("finder", FrameInput(32, "letterbox", "float32"), ())
    reader = Model("reader", CropInput(16, "float32"), ())
    cat = Catalog()

    @cat.feature("things", models=(finder,))
    async def things(input_finder, infer): ...

    @cat.feature("things.again", models=(finder,))
    async def things_again(input_finder, infer): ...

    @cat.feature("things.read", models=(reader,))
    async def things_read(things, image, infer): ...

    cat.validate()
    assert cat.models() == [finder, reader]
    node = cat["input.finder"]
    assert not node.public and node.model_input and node.input_spec == finder.input
    assert "input.reader" not in cat  # crops are made by the feature, from its detections
    assert cat["things"].needs == ("input.finder",)


def test_two_different_models_of_one_name_are_refused() -> None:
    from orchestrator.models import FrameInput, Model

    cat = Catalog()

    @cat.feature("a", models=(Model("net", FrameInput(32, "stretch", "uint8"), ()),))
    async def a(input_net, infer): ...

    with pytest.raises(CatalogError, match="feature 'b': model 'net' is declared twice"):

        @cat.feature("b", models=(Model("net", FrameInput(64, "stretch", "uint8"), ()),))
        async def b(input_net, infer): ...


def test_pixels_are_declared_by_image_consumers_only() -> None:
    cat = Catalog()

    @cat.feature("thumb", pixels=Pixels(64, 0, "cover"))
    def thumb(image): ...

    @cat.feature("plain")
    def plain(image): ...

    cat.validate()
    assert cat["thumb"].pixels == Pixels(64, 0, "cover") and cat["plain"].pixels == Pixels.FULL

    @cat.feature("stats", pixels=Pixels(64, 0, "cover"))
    def stats(thumb): ...

    with pytest.raises(CatalogError, match="feature 'stats': declares pixels= but does not take"):
        cat.validate()


def test_a_model_input_node_needs_what_its_spec_resizes_to_and_the_frame_size() -> None:
    feat = default_catalog()["input.persons"]
    assert feat.input_spec is not None
    assert feat.pixels == feat.input_spec.pixels == Pixels(300, 300, "cover")
    assert set(feat.resources) == {"image", "frame"}
