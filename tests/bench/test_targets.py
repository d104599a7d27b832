from __future__ import annotations

from orchestrator.bench.targets import evaluate


def run(
    key: str,
    mode: str,
    streams: int,
    overhead: tuple[float, float],
    dropped: int = 0,
    set_: str = "persons",
) -> dict:
    return {
        "key": key,
        "role": "matrix",
        "set": set_,
        "mode": mode,
        "streams": streams,
        "frames": {"dropped": dropped, "results": 100},
        "timing_ms": {"overhead": {"p50": overhead[0], "p99": overhead[1]}},
        "e2e_ms": {"p99": 40.0},
        "latency_ms": {"p99": 39.0},
        "exactly_once": {"ok": True, "problems": []},
        "cpu": {
            "total_ms_per_frame": 25.0,
            "worker_ms_per_frame": 5.0,
            "server_ms_per_frame": 20.0,
        },
    }


RUNS = [
    run("a", "paced", 1, (0.8, 1.6)),
    run("b", "paced", 8, (40.0, 900.0), dropped=5),  # fell behind: saturated, not judged
    run("c", "unpaced", 4, (8.0, 40.0)),
]
CEILING_ROWS = [
    {
        "net": "ssdlite_person",
        "set": "persons",
        "streams": 4,
        "net_fps": 80.0,
        "ceiling_fps": 100.0,
        "share_of_ceiling": 0.8,
        "mean_batch": 6.0,
    }
]


def by_name(targets: list[dict]) -> dict[str, dict]:
    return {t["name"]: t for t in targets}


def test_overhead_is_judged_on_paced_runs_that_kept_up() -> None:
    t = by_name(evaluate(RUNS, CEILING_ROWS))["orchestration overhead"]
    assert t["met"] is True and t["measured"]["worst_p99_ms"] == 1.6
    assert set(t["saturated_runs"]) == {"b", "c"}


def test_an_overhead_miss_says_by_how_much() -> None:
    runs = [run("cpu", "paced", 1, (2.3, 3.0), set_="cpu")]
    t = by_name(evaluate(runs, []))["orchestration overhead"]
    assert t["met"] is False and t["margin"] == {"p50_ms": 0.3, "p99_ms": -2.0}


def test_batching_miss_says_by_how_much_and_what_bounds_it() -> None:
    t = by_name(evaluate(RUNS, CEILING_ROWS, cores=2))["cross-stream batching"]
    assert t["met"] is False and t["margin"]["share_points"] == -10.0
    assert t["measured"]["bound"]["cpu_bound_fps"] == 80.0


def test_real_time_and_exactly_once() -> None:
    targets = by_name(evaluate(RUNS, CEILING_ROWS))
    assert targets["real time, one stream"]["met"] is True
    assert targets["no redundant computation"]["met"] is True
    assert by_name(evaluate(RUNS[1:], []))["real time, one stream"]["met"] is None
