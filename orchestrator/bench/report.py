"""A run's report: its measurements, and the comparisons and target verdicts they give.

benchmark.json is the run's measurements (`BenchRun`) followed by what is derived from
them: the command, the comparisons and the target verdicts. Reading a file back for
`framegraph bench --from-json` takes the measurements only and derives the rest again,
so a change to the report applies to earlier runs too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from orchestrator.bench.codec import from_json, to_json
from orchestrator.bench.compare import Comparisons, compare
from orchestrator.bench.results import BenchRun
from orchestrator.bench.targets import Target, evaluate
from orchestrator.features import default_catalog
from orchestrator.graph import Planner
from orchestrator.triton.repository import all_models, load_config

DERIVED = ("command", "comparisons", "targets")


@dataclass(frozen=True)
class Report:
    run: BenchRun
    command: str
    comparisons: Comparisons
    targets: list[Target]


def complete(run: BenchRun, command: str) -> Report:
    """Add the side-by-side comparisons and the target verdicts."""
    ensembles = [m for m in all_models() if load_config(m).get("platform") == "ensemble"]
    comparisons = compare(run.scenarios, run.baselines, Planner(default_catalog()), ensembles)
    targets = evaluate(
        run.scenarios,
        comparisons.ceiling,
        run.baselines.direct,
        run.baselines.ceiling,
        run.machine.cpu_cores_usable or 1,
    )
    return Report(run, command, comparisons, targets)


def to_document(report: Report) -> dict[str, Any]:
    """The JSON object of benchmark.json: the measurements, then what they gave."""
    return to_json(report.run) | {
        "command": report.command,
        "comparisons": to_json(report.comparisons),
        "targets": to_json(report.targets),
    }


def read_run(path: Path) -> tuple[BenchRun, str | None]:
    """An earlier benchmark.json's measurements and the command that made them."""
    document = orjson.loads(path.read_bytes())
    if not isinstance(document, dict):
        raise ValueError(f"{path}: not a benchmark.json (a JSON object)")
    measured = {k: v for k, v in document.items() if k not in DERIVED}
    return from_json(BenchRun, measured), document.get("command")
