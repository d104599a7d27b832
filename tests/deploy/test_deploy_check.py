"""scripts/deploy-check: the deployment (docker/, helm/, alerts, dashboard) checked by real tools.

The first run installs the tools into .tools/ (about a minute: PyPI, and Debian's prometheus
package for promtool when it is missing); later runs take seconds. The broken values files are
checked in one run of deploy-check (each file is its own set of checks in it).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from .tools import DeployTools, needs_deploy_tools, run_deploy_check

HERE = Path(__file__).resolve().parent
BROKEN = HERE / "broken-values"
ACCEPTED = HERE / "accepted-values"
ALERT_TESTS = HERE / "alerts.test.yaml"

pytestmark = needs_deploy_tools


@pytest.fixture(scope="module", autouse=True)
def tools(deploy_tools: DeployTools) -> DeployTools:
    return deploy_tools


@dataclass
class Check:
    status: str  # "ok" or "FAIL"
    name: str
    output: str  # what a failed check printed (deploy-check shows it indented under "| ")


def parse_checks(output: str) -> list[Check]:
    checks: list[Check] = []
    for line in output.splitlines():
        m = re.match(r"^(ok|FAIL)\s+(.*?)\s+\d+s$", line)
        if m:
            checks.append(Check(m.group(1), m.group(2), ""))
        elif line.startswith("      | ") and checks:
            checks[-1].output += line[len("      | ") :] + "\n"
    return checks


def checks_of(checks: list[Check], values_file: Path) -> list[Check]:
    label = f"({values_file.relative_to(HERE.parents[1])})"
    return [c for c in checks if c.name.endswith(label)]


@pytest.mark.timeout(600)
def test_deploy_check_passes() -> None:
    accepted = sorted(ACCEPTED.glob("*.yaml"))
    assert accepted
    args = [a for f in accepted for a in ("--values", str(f))]
    proc = run_deploy_check(*args)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    checks = parse_checks(out)
    assert [c for c in checks if c.status == "FAIL"] == []
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
        assert any(c.status == "ok" and needle in c.name for c in checks), needle
    # Not over-strict: settings of disabled parts (a GPU count with GPUs off, ...) pass lint,
    # rendering, validation and policy.
    for f in accepted:
        assert len(checks_of(checks, f)) == 4, f.name
    assert int(m.group(1)) >= 25


# Each broken values file, the message it fails with, and what refuses it:
# HELM       the chart itself: helm lint, helm template and so helm install (the schema, or a
#            template `fail`, which helm lint reports only as [INFO] and deploy-check fails on);
# TEMPLATE   helm template and helm install; helm lint does not see it (lint keeps the chart's
#            defaults where a values file sets null);
# MANIFESTS  deploy-check's validation or policy of the rendered manifests (helm accepts it).
HELM, TEMPLATE, MANIFESTS = "helm", "template", "manifests"
BROKEN_CASES = [
    ("replicas-not-an-integer.yaml", "triton.replicas: Invalid type. Expected: integer", HELM),
    ("misspelt-key.yaml", "Additional property replica is not allowed", HELM),
    ("stream-name-not-a-dns-label.yaml", "streams.0.name: Does not match pattern", HELM),
    ("duplicate-stream-names.yaml", 'the name "lobby" is used twice', HELM),
    (
        "bad-probe-field.yaml",
        "readinessProbe.periodSeconds: 'often' is not of type 'integer'",
        MANIFESTS,
    ),
    ("no-resource-requests.yaml", "container worker: resources.requests.cpu missing", MANIFESTS),
    (
        "autoscaling-min-above-max.yaml",
        "triton.autoscaling: minReplicas (4) is greater than maxReplicas (2)",
        HELM,
    ),
    (
        "sidecar-port-collision.yaml",
        "triton.mode=sidecar: worker.port 8001 is also triton.ports.grpc",
        HELM,
    ),
    ("triton-ports-collide.yaml", "triton.ports: http and metrics are both 8000", HELM),
    (
        "triton-zero-replicas-with-streams.yaml",
        "triton.replicas is 0 while 1 stream(s) are enabled",
        HELM,
    ),
    ("unknown-stream-feature.yaml", "streams.0.features.1 must be one of the following:", HELM),
    ("unknown-worker-feature.yaml", "worker.features.1 must be one of the following:", HELM),
    (
        "worker-resources-null.yaml",
        'worker.resources is null or empty and stream "lobby" sets none',
        TEMPLATE,
    ),
    ("triton-resources-null.yaml", "triton.resources is null or empty", TEMPLATE),
    (
        "secret-and-inline-token.yaml",
        'worker.auth: existingSecret ("framegraph-token") and token are both set',
        HELM,
    ),
    (
        "autoscaling-in-sidecar-mode.yaml",
        "triton.autoscaling.enabled needs triton.mode=shared",
        HELM,
    ),
    (
        "rollout-takes-every-replica-down.yaml",
        "triton.rollingUpdate.maxUnavailable (1) would take all 1 Triton replica(s) down",
        HELM,
    ),
    (
        "rollout-cannot-progress.yaml",
        "triton.rollingUpdate: maxSurge and maxUnavailable are both 0",
        HELM,
    ),
    (
        "prestop-outlasts-grace-period.yaml",
        "triton.preStopSleepSeconds (30) must be less than"
        " triton.terminationGracePeriodSeconds (30)",
        HELM,
    ),
    (
        "readiness-not-gated-on-models.yaml",
        "container triton: readinessProbe must GET /v2/health/ready (got '/v2/health/live')",
        MANIFESTS,
    ),
]


@pytest.fixture(scope="module")
def broken_run() -> tuple[subprocess.CompletedProcess[str], list[Check]]:
    """One deploy-check run over the chart's own value sets and every broken file."""
    args = [a for f, _, _ in BROKEN_CASES for a in ("--values", str(BROKEN / f))]
    proc = run_deploy_check("--only", "helm", *args)
    return proc, parse_checks(proc.stdout + proc.stderr)


def test_every_broken_file_is_checked() -> None:
    assert sorted(p.name for p in BROKEN.glob("*.yaml")) == sorted(f for f, _, _ in BROKEN_CASES)


@pytest.mark.timeout(600)
def test_only_the_broken_files_fail(
    broken_run: tuple[subprocess.CompletedProcess[str], list[Check]],
) -> None:
    proc, checks = broken_run
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "deploy-check: FAILED" in out
    assert "Traceback" not in out
    # The chart's own value sets still pass; every failure is a broken file's.
    failed = [c.name for c in checks if c.status == "FAIL"]
    assert failed
    assert all("(tests/deploy/broken-values/" in name for name in failed), failed
    assert any(c.name == "helm lint --strict (default values)" and c.status == "ok" for c in checks)


@pytest.mark.timeout(600)
@pytest.mark.parametrize(
    ("values_file", "message", "refused_by"), BROKEN_CASES, ids=[c[0] for c in BROKEN_CASES]
)
def test_broken_values_fail(
    broken_run: tuple[subprocess.CompletedProcess[str], list[Check]],
    values_file: str,
    message: str,
    refused_by: str,
) -> None:
    proc, all_checks = broken_run
    checks = checks_of(all_checks, BROKEN / values_file)
    assert len(checks) == 4, proc.stdout + proc.stderr
    failed = [c for c in checks if c.status == "FAIL"]
    assert failed, checks
    assert any(message in c.output for c in failed), failed
    lint = next(c for c in checks if c.name.startswith("helm lint"))
    rendered = [c for c in checks if c.name.startswith("helm template")]
    refusing = {HELM: [lint, *rendered], TEMPLATE: rendered, MANIFESTS: []}[refused_by]
    for c in refusing:
        assert c.status == "FAIL", c
        assert message in c.output, c
    if refused_by == MANIFESTS:
        assert lint.status == "ok", lint  # helm accepts it


@pytest.mark.timeout(300)
def test_unknown_group_is_refused() -> None:
    proc = run_deploy_check("--only", "nonsense")
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
    proc = run_deploy_check("--only", "alerts", "--alert-tests", str(broken))
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
    proc = run_deploy_check("--only", "alerts", "--alert-tests", str(broken))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "FramegraphHighLatency: no promtool test where it stays silent" in out
