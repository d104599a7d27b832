import pytest

from orchestrator.features import default_catalog
from orchestrator.graph import Catalog, Planner, UnknownFeatureError, Window
from orchestrator.models import FrameInput, Model

M1 = Model("m1", FrameInput(8, "stretch", "uint8"), ())


@pytest.fixture
def planner() -> Planner:
    cat = Catalog()

    @cat.feature("base")
    def base(image): ...

    @cat.feature("left")
    def left(base): ...

    @cat.feature("right", window=Window.last(5))
    def right(base): ...

    @cat.feature("top")
    def top(left, right): ...

    @cat.feature("net", models=(M1,))
    async def net(input_m1, infer): ...

    @cat.feature("hidden", public=False)
    def hidden(image): ...

    return Planner(cat)


def test_closure_order_and_skipped(planner: Planner) -> None:
    plan = planner.plan(["top"])
    assert set(plan.order) == {"base", "left", "right", "top"}
    pos = {n: i for i, n in enumerate(plan.order)}
    assert pos["base"] < pos["left"] < pos["top"] and pos["right"] < pos["top"]
    assert plan.skipped == ("net",)
    assert plan.models == ()
    assert plan.max_window == 5
    assert plan.requested == ("top",)


def test_models_and_cache(planner: Planner) -> None:
    p1 = planner.plan(["net", "left"])
    assert p1.models == (M1,) and p1.model_names == ("m1",)
    assert p1.inputs == {"input.m1": M1.input}  # the net's input is a node of the plan
    assert p1.order.index("input.m1") < p1.order.index("net")
    assert planner.plan(["left", "net"]) is p1  # cached by the set, whatever the order


def test_unknown_and_internal_features_are_refused(planner: Planner) -> None:
    with pytest.raises(UnknownFeatureError) as err:
        planner.plan(["nope", "hidden"])
    assert err.value.unknown == ["hidden", "nope"]  # sorted: a set has no order
    assert "top" in err.value.valid and "hidden" not in err.value.valid


def test_empty_request_is_an_empty_plan(planner: Planner) -> None:
    plan = planner.plan([])
    assert plan.order == () and not plan.needs_image


def test_explain_and_json_agree(planner: Planner) -> None:
    plan = planner.plan(["top"])
    text = plan.explain()
    for name in plan.order:
        assert name in text
    data = plan.to_json()
    assert data["prerequisites"] == ["base", "left", "right"]
    assert data["skipped"] == ["net"]


def test_cpu_features_share_prerequisites() -> None:
    planner = Planner(default_catalog())
    plan = planner.plan(["motion", "scene.cut"])
    assert plan.order.count("image.small") == 1
    assert plan.inputs == {}  # no net, no model input made


@pytest.mark.parametrize(
    ("features", "factors"),  # at 768x576 (vtest), 720x528 (megamind), 1920x1080, 3840x2160
    [
        (["scene.cut", "motion"], [4, 4, 8, 8]),
        (["persons"], [1, 1, 2, 4]),  # SSDLite stretches to 300x300
        (["faces"], [4, 2, 8, 8]),  # letterboxed 128 and 192
        (["persons.mask"], [2, 2, 4, 8]),
        (["image.preview"], [1, 1, 2, 4]),  # within 960x720
        (["motion", "persons"], [1, 1, 2, 4]),
        (["image.quality", "motion"], [1, 1, 1, 1]),  # sharpness needs every pixel
        (["persons.pose"], [1, 1, 1, 1]),  # crops need every pixel
        (["faces.expression"], [1, 1, 1, 1]),
    ],
)
def test_the_plan_allows_the_reduction_its_image_consumers_agree_on(features, factors) -> None:
    plan = Planner(default_catalog()).plan(features)
    sizes = [(768, 576), (720, 528), (1920, 1080), (3840, 2160)]
    assert [plan.reduction(w, h) for w, h in sizes] == factors
