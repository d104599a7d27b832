from __future__ import annotations

import pytest

from orchestrator.bench.procs import Usage
from orchestrator.bench.results import Exactness, FeatureCheck
from orchestrator.bench.streams import CpuSplit, Record, StreamResult
from orchestrator.bench.summary import pct, summarise, worker_split
from orchestrator.bench.workload import Scenario


def test_percentiles() -> None:
    stats = pct(float(v) for v in range(1, 101))
    assert stats is not None
    assert stats.n == 100 and stats.max == 100.0
    assert stats.p50 == pytest.approx(50.5)
    assert stats.p99 == pytest.approx(99.01)


def test_nothing_to_summarise() -> None:
    assert pct([]) is None
    assert pct([None, None]) is None


def _stream(index: int, cpu: float, startup: float, split: CpuSplit | None) -> StreamResult:
    records = [Record(seq, "result", 0.0) for seq in range(11)]  # priming frame + 10
    return StreamResult(index, records, 11, cpu, startup, 100.0, 0, None, [], "", split)


def test_the_worker_split_takes_the_priming_frame_out_of_every_part() -> None:
    # two workers: 0.5 s after priming each, 20 frames after priming in all (25 ms/frame);
    # --stats count the priming frame: 30 ms of decode and 5 ms of feature code each
    streams = [_stream(i, 1.5, 1.0, CpuSplit(0.030 + 0.2, 0.005 + 0.1)) for i in range(2)]
    split = worker_split(streams, 25.0, 20, CpuSplit(0.030, 0.005))
    assert split is not None
    assert (split.decode_ms, split.features_ms) == (20.0, 10.0)
    assert split.orchestration_ms == pytest.approx(25.0 - 20.0 - 10.0)
    assert (split.priming_decode_ms, split.priming_features_ms) == (30.0, 5.0)
    # without a probe nothing is taken out, and the record says so
    kept = worker_split(streams, 25.0, 20, None)
    assert kept is not None and kept.decode_ms == 23.0 and kept.priming_decode_ms is None


def test_no_split_when_a_worker_did_not_report_its_decode_cpu() -> None:
    streams = [_stream(0, 1.5, 1.0, CpuSplit(0.1, 0.1)), _stream(1, 1.5, 1.0, None)]
    assert worker_split(streams, 25.0, 20, None) is None


def test_worker_cpu_per_frame_runs_from_the_priming_answer_to_the_last() -> None:
    # 1.0 s at start-up, 0.5 s for 10 frames, then 0.25 s to exit (stats, teardown)
    stream = _stream(0, 1.75, 1.0, CpuSplit(0.03 + 0.2, 0.005 + 0.1))
    stream.end_cpu_seconds = 1.5
    usage = Usage(
        server_cpu_s=0.0, server_peak_rss_mb=0.0, bench_cpu_s=0.0, machine_busy_s=0.0, wall_s=1.0
    )
    exact = Exactness(True, {}, FeatureCheck(True, 11, {}), [])
    sc = Scenario("cpu", ("motion",), "vtest", 1, "unpaced", 1.0)
    run = summarise(sc, 10.0, [stream], 0.0, 1.0, usage, {}, exact, CpuSplit(0.03, 0.005))
    assert run.cpu.worker_ms_per_frame == 50.0
    assert (run.cpu.workers_startup_s, run.cpu.workers_exit_s) == (1.0, 0.25)
    assert run.cpu.worker_split is not None
    assert (run.cpu.worker_split.decode_ms, run.cpu.worker_split.orchestration_ms) == (20.0, 20.0)
