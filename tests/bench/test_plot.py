from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.bench.report import complete, read_run

pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_run_plots(tmp_path: Path) -> None:
    from orchestrator.bench.plot import plot

    run, command = read_run(ROOT / "docs" / "bench" / "benchmark.json")
    out = plot(complete(run, command or ""), tmp_path / "deep" / "b.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 20_000
