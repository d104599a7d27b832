from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from orchestrator.bench.markdown import BEGIN, END, render, write
from orchestrator.bench.markdown.cells import percent, section
from orchestrator.bench.report import complete, read_run
from orchestrator.bench.results import Baselines

ROOT = Path(__file__).resolve().parents[2]
JSON, DOC = ROOT / "docs" / "bench" / "benchmark.json", ROOT / "docs" / "benchmarks.md"


def test_rewrites_only_the_generated_section(tmp_path: Path) -> None:
    doc = tmp_path / "b.md"
    doc.write_text(f"# B\n\nintro\n\n{BEGIN}\nold\n{END}\n\n## Analysis\nkept\n")
    write(doc, f"{BEGIN}\nnew\n{END}")
    text = doc.read_text()
    assert "old" not in text and "new" in text
    assert text.startswith("# B\n\nintro") and text.endswith("## Analysis\nkept\n")


def test_creates_the_file(tmp_path: Path) -> None:
    doc = tmp_path / "docs" / "b.md"
    write(doc, f"{BEGIN}\nfresh\n{END}")
    assert doc.read_text().startswith("# Benchmarks") and "fresh" in doc.read_text()


def test_a_table_lines_each_heading_up_with_its_cell() -> None:
    cols = (("name", lambda r: r[0]), ("share", lambda r: percent(r[1])), ("n", lambda r: r[2]))
    assert section("T", cols, [("a", 0.5, 1.25), ("b", None, None)]) == [
        "### T",
        "",
        "| name | share | n |",
        "|---|---|---|",
        "| a | 50% | 1.2 |",
        "| b | – | – |",
        "",
    ]
    assert section("T", cols, []) == []  # no rows, no table at all


def test_a_run_renders_only_the_tables_it_has_figures_for() -> None:
    run, command = read_run(JSON)
    paced = [r for r in run.scenarios if r.mode == "paced" and r.set == "persons"]
    report = complete(replace(run, scenarios=paced, baselines=Baselines({}, {})), command or "")
    headings = [line for line in render(report, None, DOC).splitlines() if line.startswith("###")]
    assert headings == [
        "### Targets",
        "### Paced at the clip's real-time rate (live mode)",
        "### Where a frame's latency goes (medians, ms)",
        "### Worker CPU per frame (ms, after the priming frame)",
        "### Server steps: each ensemble against its composing models (ms)",
        "### image.preview: one JPEG per frame for every viewer (40 frames)",
        "### Exactly once",
    ]  # no unpaced, naive, direct, ceiling or GPU projection tables: no figures for them
    assert "![" not in render(report, None, DOC)  # no image given
