"""The committed benchmark (docs/bench/benchmark.json) read back, derived and rendered again.

Both files are written by one `framegraph bench --out docs/bench --doc docs/benchmarks.md`,
so the typed path must give them back byte for byte. When a change to the catalog or the
report changes what they say, republish them without measuring:
`framegraph bench --from-json docs/bench/benchmark.json --doc docs/benchmarks.md`.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from orchestrator.bench.markdown import BEGIN, END, render
from orchestrator.bench.report import complete, read_run, to_document

ROOT = Path(__file__).resolve().parents[2]
JSON = ROOT / "docs" / "bench" / "benchmark.json"
DOC = ROOT / "docs" / "benchmarks.md"


@pytest.fixture(scope="module")
def committed():
    run, command = read_run(JSON)
    assert command is not None
    return complete(run, command)


def test_the_committed_json_is_written_back_byte_for_byte(committed) -> None:
    assert orjson.dumps(to_document(committed), option=orjson.OPT_INDENT_2) + b"\n" == (
        JSON.read_bytes()
    )


def test_the_committed_doc_renders_as_published(committed) -> None:
    text = DOC.read_text()
    section = BEGIN + text.split(BEGIN, 1)[1].split(END, 1)[0] + END
    assert render(committed, JSON.with_suffix(".png"), DOC) == section


def test_a_file_that_does_not_fit_says_where(tmp_path: Path) -> None:
    document = orjson.loads(JSON.read_bytes())
    del document["scenarios"][2]["cpu"]["wall_s"]
    broken = tmp_path / "benchmark.json"
    broken.write_bytes(orjson.dumps(document))
    with pytest.raises(ValueError, match=r"\$\.scenarios\[2\]\.cpu: Cpu needs 'wall_s'"):
        read_run(broken)
