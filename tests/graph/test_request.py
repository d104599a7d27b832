"""Resolving requests: wants with rates, one clear error, and where parameters act."""

from __future__ import annotations

import pytest

from orchestrator.graph import (
    Catalog,
    NodeKey,
    Param,
    ParamError,
    Planner,
    Rate,
    RateError,
    UnknownFeatureError,
    Want,
    Window,
    resolve,
)
from orchestrator.graph.request import explain


@pytest.fixture
def catalog() -> Catalog:
    cat = Catalog()

    @cat.feature("dets", public=False)
    def dets(image): ...

    @cat.feature("people")
    def people(dets, *, min_score: float = Param(0.5, ge=0.1, le=1.0)): ...

    @cat.feature("tracks", window=Window.in_order(list))
    def tracks(people, state): ...

    @cat.feature("smooth", window=Window.last("window"))
    def smooth(people, *, window: int = Param(4, ge=2, le=9)): ...

    @cat.feature("summary", window=Window.every("frames"))
    def summary(people, block, *, frames: int = Param(5, ge=2)): ...

    return cat.validate()


def test_wants_carry_their_rate_or_the_subscriptions(catalog: Catalog) -> None:
    wants = resolve(catalog, "people(min_score=0.3,every=3),tracks", Rate.of(rate=2))
    assert wants == (
        Want(NodeKey("people", (("min_score", 0.3),)), Rate.of(every=3)),
        Want(NodeKey("tracks"), Rate.of(rate=2)),
    )
    explicit = resolve(catalog, "tracks(every=1)", Rate.of(rate=2))
    assert explicit[0].rate.full  # a feature's own rate wins, even "every frame"
    assert resolve(catalog, "people,people(min_score=0.5)") == (Want(NodeKey("people")),)


def test_tiling_wants_collect_every_frame_and_deliver_at_block_ends(catalog: Catalog) -> None:
    (want,) = resolve(catalog, "summary(frames=4)", Rate.of(every=3))  # not the sub's rate
    assert want.block == 4 and all(want.runs(s, 0.0, None) for s in range(8))
    assert [s for s in range(12) if want.delivers(s, 0.0, None)] == [3, 7, 11]
    with pytest.raises(RateError, match=r"summary: a tiling feature .* takes no rate"):
        resolve(catalog, "summary(rate=2)")


def test_one_clear_error_per_mistake(catalog: Catalog) -> None:
    with pytest.raises(UnknownFeatureError) as unknown:
        resolve(catalog, "people,dets,nope")
    assert unknown.value.unknown == ["dets", "nope"] and "people" in unknown.value.valid
    with pytest.raises(ParamError, match="people: parameter min_score must be a float from"):
        resolve(catalog, "people(min_score=0)")
    with pytest.raises(RateError, match="tracks: every must be"):
        resolve(catalog, "tracks(every=0)")
    with pytest.raises(RateError, match="asked twice with different rates"):
        resolve(catalog, "tracks(every=2),tracks(every=3)")
    with pytest.raises(UnknownFeatureError, match="no features named"):
        resolve(catalog, "")


def test_a_parameter_duplicates_only_the_node_where_it_acts(catalog: Catalog) -> None:
    planner = Planner(catalog)
    plan = planner.plan(
        w.key for w in resolve(catalog, "people(min_score=0.3),people,smooth(window=7),tracks")
    )
    assert plan.order.count("dets") == 1  # the shared upstream node
    assert {"people", "people(min_score=0.3)", "smooth(window=7)"} <= set(plan.order)
    assert plan.nodes["people(min_score=0.3)"].needs == ("dets",)
    assert plan.nodes["people(min_score=0.3)"].params == {"min_score": 0.3}
    assert plan.nodes["smooth(window=7)"].frames == 7 and plan.max_window == 7
    assert plan.to_json()["params"] == {
        "people(min_score=0.3)": {"min_score": 0.3},
        "smooth(window=7)": {"window": 7},
    }


def test_explain_says_on_which_frames_each_node_runs(catalog: Catalog) -> None:
    planner = Planner(catalog)
    wants = resolve(catalog, "people(every=3),tracks(rate=2),summary")
    _, runs = explain(planner, wants)
    assert runs["tracks"] == "2 per second"
    assert runs["people"] == "every frame"  # the summary needs it on every frame of a block
    assert runs["summary"] == "once per block of 5 frames"
    _, slow = explain(planner, resolve(catalog, "people(every=3),tracks(rate=2)"))
    assert slow["dets"] == "every 3 frames + 2 per second"


def test_the_planner_reads_printed_ids(catalog: Catalog) -> None:
    planner = Planner(catalog)
    assert planner.plan(["people(min_score=0.30)"]).requested == ("people(min_score=0.3)",)
    assert planner.check(["people(min_score=0.5)", "tracks"]) == ["people", "tracks"]
    with pytest.raises(UnknownFeatureError):
        planner.check(["nope(x=1)"])
    with pytest.raises(ParamError):
        planner.plan(["people(min_score=9)"])
