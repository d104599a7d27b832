from __future__ import annotations

from pathlib import Path

from orchestrator.bench.markdown import BEGIN, END, write


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
