from __future__ import annotations

import pytest

from orchestrator.bench.streams import CpuSplit, Record, StreamResult
from orchestrator.bench.summary import pct, worker_split


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
