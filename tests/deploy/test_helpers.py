"""scripts/deploy/helpers.py check-manifests on rendered manifests edited the way values could.

The chart renders (real helm), then one field is changed as a values file or a later chart
change could, and the helpers (in the tools' venv, as deploy-check runs them) must refuse it
with a message, never with a traceback.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from .tools import CHART, ROOT, DeployTools, needs_deploy_tools

HELPERS = ROOT / "scripts" / "deploy" / "helpers.py"
MINIMAL = CHART / "ci" / "minimal-values.yaml"
SIDECAR = CHART / "ci" / "sidecar-values.yaml"

pytestmark = needs_deploy_tools

Docs = list[dict[str, Any]]


def render(tools: DeployTools, values: Path) -> Docs:
    out = subprocess.run(
        [str(tools.helm), "template", "framegraph", str(CHART), "-n", "video", "-f", str(values)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [d for d in yaml.safe_load_all(out) if d]


def check_manifests(tools: DeployTools, docs: Docs, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / "rendered.yaml"
    path.write_text(yaml.safe_dump_all(docs))
    return subprocess.run(
        [str(tools.python), str(HELPERS), "check-manifests", str(path)],
        capture_output=True,
        text=True,
    )


def deployment(docs: Docs, component: str) -> dict[str, Any]:
    return next(
        d
        for d in docs
        if d["kind"] == "Deployment"
        and d["metadata"]["labels"]["app.kubernetes.io/component"] == component
    )


def container(docs: Docs, component: str, name: str) -> dict[str, Any]:
    pod = deployment(docs, component)["spec"]["template"]["spec"]
    return next(c for c in pod["containers"] if c["name"] == name)


def test_the_charts_rendering_passes(deploy_tools: DeployTools, tmp_path: Path) -> None:
    proc = check_manifests(deploy_tools, render(deploy_tools, MINIMAL), tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("ok: ")


def _set(path: list[str], value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(obj: dict[str, Any]) -> None:
        for key in path[:-1]:
            obj = obj[key]
        obj[path[-1]] = value

    return edit


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda obj: obj.pop(key)


def _append_arg(arg: str) -> Callable[[dict[str, Any]], None]:
    return lambda obj: obj["args"].append(arg)


WORKER, TRITON = ("worker", "worker"), ("triton", "triton")
# (which container or Deployment, the edit, the message)
CONTAINER_CASES = [
    (WORKER, _set(["resources"], None), "container worker: resources missing (null or empty)"),
    (WORKER, _set(["securityContext"], None), "allowPrivilegeEscalation must be false"),
    (WORKER, _set(["resources", "requests"], None), "resources.requests.cpu missing"),
    (
        TRITON,
        _set(["readinessProbe", "httpGet", "path"], "/v2/health/live"),
        "readinessProbe must GET /v2/health/ready",
    ),
    (TRITON, _set(["readinessProbe"], {"tcpSocket": {"port": 8001}}), "readinessProbe must GET"),
    (TRITON, _append_arg("--strict-readiness=false"), "needs --strict-readiness=true"),
    (TRITON, _drop("startupProbe"), "startupProbe missing"),
]


@pytest.mark.parametrize(
    ("where", "edit", "message"), CONTAINER_CASES, ids=[c[2] for c in CONTAINER_CASES]
)
def test_container_refused(
    deploy_tools: DeployTools,
    tmp_path: Path,
    where: tuple[str, str],
    edit: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    docs = render(deploy_tools, MINIMAL)
    edit(container(docs, *where))
    proc = check_manifests(deploy_tools, docs, tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert message in proc.stdout, proc.stdout


ROLLOUT_CASES = [
    (_set(["strategy"], {"type": "Recreate"}), "strategy must be RollingUpdate"),
    (
        _set(["strategy", "rollingUpdate"], {"maxSurge": 0, "maxUnavailable": "0%"}),
        "rollingUpdate maxSurge and maxUnavailable are both 0",
    ),
    (
        _set(["strategy", "rollingUpdate"], {"maxSurge": 0, "maxUnavailable": 1}),
        "rollingUpdate.maxUnavailable 1 takes all 1 replica(s) down",
    ),
    (
        _set(["progressDeadlineSeconds"], 300),
        "progressDeadlineSeconds 300 is not above the startup probe's 600 s",
    ),
    (_drop("progressDeadlineSeconds"), "progressDeadlineSeconds 600 is not above"),
]


@pytest.mark.parametrize(("edit", "message"), ROLLOUT_CASES, ids=[c[1] for c in ROLLOUT_CASES])
def test_triton_rollout_refused(
    deploy_tools: DeployTools,
    tmp_path: Path,
    edit: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    docs = render(deploy_tools, MINIMAL)
    edit(deployment(docs, "triton")["spec"])
    proc = check_manifests(deploy_tools, docs, tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"Deployment/framegraph-triton: {message}" in proc.stdout, proc.stdout


def test_sidecar_triton_is_gated_on_its_models(deploy_tools: DeployTools, tmp_path: Path) -> None:
    docs = render(deploy_tools, SIDECAR)
    assert check_manifests(deploy_tools, docs, tmp_path).returncode == 0
    triton = container(docs, "worker", "triton")
    triton["readinessProbe"]["httpGet"]["path"] = "/v2/health/live"
    proc = check_manifests(deploy_tools, docs, tmp_path)
    assert proc.returncode == 1
    assert "Deployment/framegraph-stream-demo container triton: readinessProbe must GET" in (
        proc.stdout
    )
