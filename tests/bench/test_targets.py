from __future__ import annotations

from orchestrator.bench.compare import ShareOfCeiling
from orchestrator.bench.targets import BatchingMeasured, OverheadMeasured, Target, evaluate

from .runs import scenario

RUNS = [
    scenario("a", "paced", 1, (0.8, 1.6)),
    scenario("b", "paced", 8, (40.0, 900.0), dropped=5),  # fell behind: saturated, not judged
    scenario("c", "unpaced", 4, (8.0, 40.0)),
]
CEILING_ROWS = [ShareOfCeiling("persons", 4, "ssdlite_person", 80.0, 100.0, 0.8, 6.0)]


def by_name(targets: list[Target]) -> dict[str, Target]:
    return {t.name: t for t in targets}


def test_overhead_is_judged_on_paced_runs_that_kept_up() -> None:
    t = by_name(evaluate(RUNS, CEILING_ROWS))["orchestration overhead"]
    assert t.met is True and isinstance(t.measured, OverheadMeasured)
    assert t.measured.worst_p99_ms == 1.6
    assert t.saturated_runs is not None and set(t.saturated_runs) == {"b", "c"}


def test_an_overhead_miss_says_by_how_much() -> None:
    runs = [scenario("cpu", "paced", 1, (2.3, 3.0), set_="cpu")]
    t = by_name(evaluate(runs, []))["orchestration overhead"]
    assert t.met is False and t.margin == {"p50_ms": 0.3, "p99_ms": -2.0}


def test_no_timings_is_not_measured_with_a_note() -> None:
    t = by_name(evaluate([scenario("a", overhead=None)], []))["orchestration overhead"]
    assert (t.met, t.measured, t.note) == (None, None, "no paced run with --timings kept up")


def test_batching_miss_says_by_how_much_and_what_bounds_it() -> None:
    t = by_name(evaluate(RUNS, CEILING_ROWS, cores=2))["cross-stream batching"]
    assert t.met is False and t.margin == {"share_points": -10.0}
    assert isinstance(t.measured, BatchingMeasured)
    assert t.measured.bound.cpu_bound_fps == 80.0
    assert t.measured.mean_batch == {"4": 6.0}


def test_real_time_and_exactly_once() -> None:
    targets = by_name(evaluate(RUNS, CEILING_ROWS))
    assert targets["real time, one stream"].met is True
    assert targets["no redundant computation"].met is True
    assert by_name(evaluate(RUNS[1:], []))["real time, one stream"].met is None
    bad = [*RUNS, scenario("d", problems=("faces: 2 inferences",))]
    assert by_name(evaluate(bad, []))["no redundant computation"].met is False
