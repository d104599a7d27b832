"""What one `framegraph bench` run measures: the scenario matrix and the baselines' lengths."""

from __future__ import annotations

from dataclasses import dataclass

from orchestrator.bench.workload import MODES, Mode


@dataclass(frozen=True)
class BenchConfig:
    sets: tuple[str, ...] = ("cpu", "persons", "faces.expression", "everything")
    streams: tuple[int, ...] = (1, 2, 4, 8)
    modes: tuple[Mode, ...] = MODES
    seconds: float = 8.0  # feeding time per scenario
    warmup_seconds: float = 2.0
    naive: bool = True
    direct_seconds: float = 6.0
    ceiling_seconds: float = 1.0
    ceiling_batches: tuple[int, ...] = (1, 4, 8, 16)
    quick: bool = False

    @classmethod
    def quick_config(cls) -> BenchConfig:
        """For CI: under a minute, yet every kind of figure and every baseline."""
        return cls(
            sets=("persons",),
            streams=(1, 2),
            seconds=3.0,
            warmup_seconds=1.0,
            direct_seconds=2.0,
            ceiling_seconds=0.4,
            ceiling_batches=(1, 4, 8),
            quick=True,
        )
