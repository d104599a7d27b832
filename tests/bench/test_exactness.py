from __future__ import annotations

from orchestrator.bench.exactness import check, expected_inferences
from orchestrator.bench.results import ModelCheck, ModelStats
from orchestrator.bench.streams import Record, StreamResult, parse_event
from orchestrator.features import default_catalog
from orchestrator.graph import Planner, Rate, resolve

PLAN = Planner(default_catalog()).plan(["faces.expression"])
MODELS = {m.name: m for m in default_catalog().models()}


def stream(counts: list[int], computed: dict[str, int] | None = None) -> StreamResult:
    records = [
        Record(i, "result", 0.0, counts={"faces.expression": n}, keys=("faces.expression",))
        for i, n in enumerate(counts)
    ]
    n = len(counts)
    computed = computed or {
        "input.faces": n,
        "input.faces_full_range": n,
        "faces": n,
        "faces.expression": n,
    }
    return StreamResult(0, records, n, 1.0, 0.5, 100.0, 0, computed, [], "")


def served(inferences: int, executions: int) -> ModelStats:
    return ModelStats(inferences, executions, None, {}, executions, 0, None, None, None)


def models(
    frames: int, crops: int, requests: int, extra: dict | None = None
) -> dict[str, ModelStats]:
    counts = {
        "faces": (frames, frames),
        "blazeface": (frames, 2),
        "blazeface_post": (frames, 2),
        "faces_full_range": (frames, frames),
        "face_detection_full_range": (frames, 2),
        "face_detection_full_range_post": (frames, 2),
        "face_expression": (crops, requests),
        "fer_emotion": (crops, 1),
        "fer_post": (crops, 1),
    } | (extra or {})
    return {k: served(i, e) for k, (i, e) in counts.items()}


def test_crop_models_count_crops_and_one_request_per_frame_with_faces() -> None:
    records = [
        Record(i, "result", 0.0, counts={"faces.expression": n})
        for i, n in enumerate([0, 1, 2, 20])
    ]
    assert expected_inferences(MODELS["face_expression"], records)[:2] == (23, 1 + 1 + 2)
    assert expected_inferences(MODELS["faces"], records)[:2] == (4, 4)


def test_exact_counts_pass() -> None:
    result = check(PLAN, [stream([1, 2, 0])], models(3, 3, 2))
    assert result.ok, result.problems
    assert result.models["ssdlite_person"] == ModelCheck(
        expected_inferences=0, inferences=0, ok=True
    )
    ensemble = result.models["face_expression"]
    assert (ensemble.expected_inferences, ensemble.expected_requests) == (3, 2)
    assert result.models["fer_emotion"].expected_requests is None  # a step: no request count


def test_a_recomputed_frame_or_an_unplanned_model_fails() -> None:
    twice = check(PLAN, [stream([1, 2, 0])], models(4, 3, 2))
    assert not twice.ok and any("faces" in p for p in twice.problems)
    stray = check(PLAN, [stream([1, 2, 0])], models(3, 3, 2, {"ssdlite_person": (1, 1)}))
    assert not stray.ok and "ssdlite_person: 1 inferences" in stray.problems[0]


def test_a_lost_request_names_the_expected_count() -> None:
    result = check(PLAN, [stream([1, 2, 0])], models(3, 3, 1))
    assert not result.ok
    assert "face_expression: 3 inferences / 1 executions, expected 3 / 2" in result.problems


def test_a_worker_without_its_stats_summary_fails() -> None:
    s = stream([1])
    result = check(PLAN, [StreamResult(0, s.records, 1, 1.0, 0.5, 100.0, 0, None, [], "")], {})
    assert not result.features.ok and "worker 0: no --stats summary" in result.problems


def test_worker_computing_outside_the_plan_fails() -> None:
    s = stream(
        [1],
        {
            "input.faces": 1,
            "input.faces_full_range": 1,
            "faces": 1,
            "faces.expression": 1,
            "motion": 1,
        },
    )
    result = check(PLAN, [s], models(1, 1, 1))
    assert not result.ok and "motion computed 1x but not planned" in result.problems[0]


def test_new_nets_are_picked_up_from_the_catalog() -> None:
    """Nothing in bench/ names a model: a feature module's models are checked as declared."""
    from orchestrator.bench.exactness import crop_sources
    from orchestrator.bench.workload import feature_sets

    catalog = default_catalog()
    models = {m.name: m for m in catalog.models()}
    assert crop_sources(catalog, models["hand_landmarks"]) == ["hands.landmarks", "hands"]
    assert crop_sources(catalog, models["face_landmarks"])[:2] == [
        "faces.landmarks",
        "faces.expression",
    ]
    records = [Record(0, "result", 0.0, counts={"hands": 2}), Record(1, "result", 0.0)]
    assert expected_inferences(models["hand_palms"], records)[:2] == (2, 2)
    assert expected_inferences(models["hand_landmarks"], records[:1])[:2] == (2, 1)
    everything = feature_sets(catalog.public())["everything"].features
    assert {"hands", "hands.landmarks", "hands.gesture"} <= set(everything)


def test_parameters_and_rates_count_each_node_on_its_frames_only() -> None:
    catalog = default_catalog()
    wants = resolve(catalog, "persons(min_score=0.3),persons(every=2),motion(every=3)")
    plan = Planner(catalog).plan(w.key for w in wants)
    keys = {
        0: ("persons(min_score=0.3)", "persons", "motion"),
        1: ("persons(min_score=0.3)",),
        2: ("persons(min_score=0.3)", "persons"),
        3: ("persons(min_score=0.3)", "motion"),
    }
    records = [Record(i, "result", 0.0, keys=k) for i, k in keys.items()]
    computed = {
        "input.persons": 4,
        "persons.detections": 4,
        "persons(min_score=0.3)": 4,
        "persons": 2,
        "image.small": 2,
        "image.thumb": 2,
        "motion": 2,
    }
    streams = [StreamResult(0, records, 4, 1.0, 0.5, 100.0, 0, computed, [], "")]
    one_per_frame = {"persons": (4, 4), "ssdlite_person": (4, 2), "persons_post": (4, 2)}
    models = {k: served(i, e) for k, (i, e) in one_per_frame.items()}
    result = check(plan, streams, models, wants)
    assert result.ok, result.problems
    twice = {**models, "persons": served(8, 8)}  # a detector per threshold
    assert not check(plan, streams, twice, wants).ok
    streams[0].computed = {**computed, "motion": 4}
    bad = check(plan, streams, models, wants)
    assert "worker 0: motion computed 4x for 2 frames" in bad.problems


def test_a_tiling_feature_needs_its_prerequisites_on_every_frame() -> None:
    catalog = default_catalog()
    wants = resolve(catalog, "activity(frames=2)", Rate.of(every=5))
    plan = Planner(catalog).plan(w.key for w in wants)
    records = [Record(i, "result", 0.0, keys=("activity(frames=2)",) * (i % 2)) for i in range(4)]
    records.append(parse_event(b'{"type": "end", "blocks": {"activity(frames=2)": [{}]}}', 0.0))
    counts = {n: 4 for n in plan.order if n != "activity(frames=2)"} | {"activity(frames=2)": 3}
    streams = [StreamResult(0, records, 4, 1.0, 0.5, 100.0, 0, counts, [], "")]
    frames = {m: served(4, 4) for m in ("persons", "faces", "faces_full_range")}
    parts = ("ssdlite_person", "persons_post", "blazeface", "blazeface_post")
    parts += ("face_detection_full_range", "face_detection_full_range_post")
    frames |= {m: served(4, 2) for m in parts}
    result = check(plan, streams, frames, wants)
    assert result.ok, result.problems
