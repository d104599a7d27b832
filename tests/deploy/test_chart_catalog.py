"""scripts/chart-catalog: the chart's feature names are the code's catalog, and cannot drift.

When this fails after a feature was added, renamed or removed, run `scripts/chart-catalog`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from orchestrator.features import default_catalog

from .tools import CHART, ROOT

SCHEMA = CHART / "values.schema.json"
SCRIPT = ROOT / "scripts" / "chart-catalog"
FEATURE = {"$ref": "#/definitions/feature"}


def chart_catalog(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHON=sys.executable)
    return subprocess.run(
        [str(SCRIPT), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_chart_knows_exactly_the_public_features() -> None:
    schema = json.loads(SCHEMA.read_text())
    assert schema["definitions"]["feature"]["enum"] == default_catalog().public(), (
        "helm/framegraph/values.schema.json is out of date with the catalog: "
        "run scripts/chart-catalog"
    )


def test_worker_and_stream_features_are_checked_against_it() -> None:
    props = json.loads(SCHEMA.read_text())["properties"]
    assert props["worker"]["properties"]["features"]["items"] == FEATURE
    assert props["streams"]["items"]["properties"]["features"]["items"] == FEATURE


def test_check_passes_on_the_committed_chart() -> None:
    proc = chart_catalog("--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "is up to date" in proc.stdout


def test_check_names_the_drift_and_one_command_fixes_it(tmp_path: Path) -> None:
    schema = json.loads(SCHEMA.read_text())
    names = schema["definitions"]["feature"]["enum"]
    schema["definitions"]["feature"]["enum"] = [n for n in names if n != "persons.tracks"] + [
        "persons.gone"
    ]
    stale = tmp_path / "values.schema.json"
    stale.write_text(json.dumps(schema, indent=2) + "\n")

    proc = chart_catalog("--check", "--schema", str(stale))
    assert proc.returncode == 1
    assert "missing persons.tracks; not in the catalog persons.gone" in proc.stderr
    assert "run scripts/chart-catalog" in proc.stderr

    proc = chart_catalog("--schema", str(stale))
    assert proc.returncode == 0, proc.stderr
    assert stale.read_text() == SCHEMA.read_text()
