from __future__ import annotations

from pathlib import Path

import orjson

from orchestrator.bench.streams import CpuSplit, computed_counts, cpu_split, read_stats

STATS = {
    "features": {
        "image.small": {"computed": 3, "cost": {"worker_s": 0.25, "triton_s": 0.0}},
        "persons": {"computed": 3, "cost": {"worker_s": 0.5, "triton_s": 0.1}},
        "motion": {"computed": 3},  # no cost recorded: counts as none
    },
    "decoder": {"name": "opencv", "frames": 3, "cpu_seconds": 0.125},
}


def test_the_split_is_read_from_the_workers_stats(tmp_path: Path) -> None:
    path = tmp_path / "stats.json"
    path.write_bytes(orjson.dumps(STATS))
    stats = read_stats(path)
    assert cpu_split(stats) == CpuSplit(0.125, 0.75)
    assert computed_counts(stats) == {"image.small": 3, "persons": 3, "motion": 3}


def test_an_older_worker_or_no_stats_gives_no_split(tmp_path: Path) -> None:
    older = {**STATS, "decoder": {"name": "opencv", "frames": 3}}
    assert cpu_split(older) is None
    assert read_stats(tmp_path / "missing.json") is None
    assert cpu_split(None) is None and computed_counts(None) is None
