"""A report written out: benchmark.json and benchmark.png, and the tables of a Markdown doc."""

from __future__ import annotations

from pathlib import Path

import orjson

from orchestrator.bench import markdown
from orchestrator.bench.plot import plot
from orchestrator.bench.report import Report, to_document

JSON_NAME, PNG_NAME = "benchmark.json", "benchmark.png"


def publish(report: Report, out: Path, doc: Path | None) -> dict[str, Path]:
    """Write the JSON and the PNG into `out`; rewrite the generated part of `doc`."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / JSON_NAME, "png": out / PNG_NAME}
    paths["json"].write_bytes(orjson.dumps(to_document(report), option=orjson.OPT_INDENT_2) + b"\n")
    plot(report, paths["png"])
    if doc is not None:
        markdown.write(doc, markdown.render(report, paths["png"], doc))
        paths["doc"] = doc
    return paths
