from __future__ import annotations

from orchestrator.bench.exactness import check, expected_inferences
from orchestrator.bench.results import ModelCheck, ModelStats
from orchestrator.bench.streams import Record, StreamResult
from orchestrator.features import default_catalog
from orchestrator.graph import Planner

PLAN = Planner(default_catalog()).plan(["faces.expression"])
MODELS = {m.name: m for m in default_catalog().models()}


def stream(counts: list[int], computed: dict[str, int] | None = None) -> StreamResult:
    records = [
        Record(i, "result", 0.0, counts={"faces.expression": n}) for i, n in enumerate(counts)
    ]
    n = len(counts)
    computed = computed or {
        "input.faces": n, "input.faces_full_range": n, "faces": n, "faces.expression": n
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
        {"input.faces": 1, "input.faces_full_range": 1, "faces": 1, "faces.expression": 1,
         "motion": 1},
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
