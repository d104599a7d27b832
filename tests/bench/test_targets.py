from __future__ import annotations

from dataclasses import replace

from orchestrator.bench import results as res
from orchestrator.bench.compare import ShareOfCeiling
from orchestrator.bench.targets import (
    BatchingMeasured,
    DirectMeasured,
    OrchestrationMeasured,
    OverheadMeasured,
    Target,
    evaluate,
)

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


def with_split(run: res.ScenarioResult, orchestration: float) -> res.ScenarioResult:
    split = res.WorkerCpu(100, 5.0, 3.0, 2.0 - orchestration, orchestration, 20.0, 1.0)
    return replace(run, cpu=replace(run.cpu, worker_split=split))


def test_orchestration_cpu_is_judged_on_the_worst_scenario_of_each_set() -> None:
    runs = [
        with_split(scenario("cpu1", set_="cpu"), 0.7),
        with_split(scenario("cpu8", "unpaced", 8, set_="cpu"), 1.3),
        with_split(scenario("p1"), 0.4),
    ]
    t = by_name(evaluate(runs, []))["orchestration CPU"]
    assert t.met is False and t.margin == {"cpu_ms": 0.3, "persons_ms": -0.6}
    assert isinstance(t.measured, OrchestrationMeasured)
    assert [(w.set, w.at) for w in t.measured.worst] == [("cpu", "cpu8"), ("persons", "p1")]
    assert by_name(evaluate(runs[::2], []))["orchestration CPU"].met is True


def test_orchestration_cpu_with_a_set_missing_or_no_split() -> None:
    t = by_name(evaluate([with_split(scenario("p1"), 0.4)], []))["orchestration CPU"]
    assert t.met is False and t.note == "not run: cpu"
    assert by_name(evaluate(RUNS, []))["orchestration CPU"].met is None


def test_persons_against_direct_at_four_streams() -> None:
    direct = {"persons": direct_result(fps=50.0, cpu_ms=20.0)}
    fast = [scenario("p4", "unpaced", 4, fps=65.0)]  # Cpu total 25 ms/frame: 1.25x direct
    t = by_name(evaluate(fast, [], direct, cores=2))["persons against direct"]
    assert isinstance(t.measured, DirectMeasured)
    assert (t.measured.fps_ratio, t.measured.cpu_ratio) == (1.3, 1.25)
    assert t.met is False and t.margin == {"fps_ratio": 0.05, "cpu_ratio": 0.2}
    assert t.measured.bound.cpu_bound_fps == 80.0
    lean = {"persons": direct_result(fps=50.0, cpu_ms=24.0)}
    assert by_name(evaluate(fast, [], lean))["persons against direct"].met is True
    assert by_name(evaluate(fast, []))["persons against direct"].met is None


def direct_result(fps: float, cpu_ms: float) -> res.DirectResult:
    return res.DirectResult(
        ["persons"], "vtest", 100, 2.0, fps, None, [], {}, 0.3, 2.0, cpu_ms, 200.0
    )
