"""`framegraph bench` where the benchmark is not installed (the worker image leaves it out,
a plain install lacks its extra): a clear error, not a traceback; the rest works on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Runs the CLI with some modules made unimportable, as they are where they are not installed.
WITHOUT = """
import sys

class Absent:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if any(name == m or name.startswith(m + ".") for m in sys.argv[1].split(",")):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Absent)
from orchestrator.cli.main import cli
cli(sys.argv[2:], prog_name="framegraph")
"""


def framegraph_without(modules: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT, modules, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_the_benchmark_package_bench_says_so() -> None:
    out = framegraph_without("orchestrator.bench", "bench", "--quick")
    assert out.returncode == 1, out.stderr
    assert "Traceback" not in out.stderr
    assert "the benchmark is not part of this installation" in out.stderr
    assert "source checkout" in out.stderr


def test_without_the_benchmark_the_worker_commands_still_work() -> None:
    listed = framegraph_without("orchestrator.bench", "--help")
    assert listed.returncode == 0 and "bench" in listed.stdout and "serve" in listed.stdout
    features = framegraph_without("orchestrator.bench", "features", "--json")
    assert features.returncode == 0 and '"motion"' in features.stdout
    help_ = framegraph_without("orchestrator.bench", "bench", "--help")
    assert help_.returncode == 0 and "--from-json" in help_.stdout


@pytest.mark.parametrize("extra", ["psutil", "matplotlib"])
def test_without_the_bench_extra_bench_names_it(extra: str) -> None:
    out = framegraph_without(extra, "bench", "--quick")
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert f"needs {extra}, from the `bench` extra" in out.stderr
