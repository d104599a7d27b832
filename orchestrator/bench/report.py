"""From a run's raw result to what gets published: comparisons, targets, JSON, PNG, doc."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from orchestrator.bench import compare, markdown, targets
from orchestrator.bench.baselines import nets_of
from orchestrator.features import default_catalog
from orchestrator.graph import Planner
from orchestrator.triton.repository import all_models, load_config

JSON_NAME, PNG_NAME = "benchmark.json", "benchmark.png"


def complete(result: dict[str, Any], command: str) -> dict[str, Any]:
    """Add the side-by-side comparisons and the target verdicts."""
    planner = Planner(default_catalog())
    ensembles = [m for m in all_models() if load_config(m).get("platform") == "ensemble"]
    runs = result["scenarios"]
    base = result["baselines"]
    ceiling_rows = compare.against_ceiling(runs, base.get("ceiling") or {}, planner)
    result["command"] = command
    result["comparisons"] = {
        "work_saved": compare.work_saved(runs, nets_of(ensembles)),
        "direct": compare.against_direct(runs, base.get("direct") or {}),
        "ceiling": ceiling_rows,
        "latency_breakdown": compare.latency_breakdown(runs, base.get("direct") or {}),
    }
    result["targets"] = targets.evaluate(
        runs,
        ceiling_rows,
        base.get("direct") or {},
        base.get("ceiling") or {},
        result["machine"].get("cpu_cores_usable") or 1,
    )
    return result


def publish(result: dict[str, Any], out: Path, doc: Path | None) -> dict[str, Path]:
    """Write the JSON and the PNG into `out`; rewrite the generated part of `doc`."""
    from orchestrator.bench.plot import plot

    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / JSON_NAME, "png": out / PNG_NAME}
    paths["json"].write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2) + b"\n")
    plot(result, paths["png"])
    if doc is not None:
        markdown.write(doc, markdown.render(result, paths["png"], doc, result["command"]))
        paths["doc"] = doc
    return paths
