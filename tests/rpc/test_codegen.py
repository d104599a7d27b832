"""The committed gRPC code is exactly what grpcio-tools makes of the .proto."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from orchestrator.rpc.v1 import framegraph_pb2 as pb

ROOT = Path(__file__).resolve().parents[2]


def test_regenerating_changes_nothing() -> None:
    env = dict(os.environ, PYTHON=sys.executable)
    run = subprocess.run(
        [str(ROOT / "scripts" / "gen-proto"), "--check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, f"run scripts/gen-proto: {run.stderr}"


def test_the_api_is_versioned() -> None:
    assert pb.DESCRIPTOR.package == "framegraph.v1"
    assert pb.DESCRIPTOR.name == "framegraph/v1/framegraph.proto"
    assert set(pb.DESCRIPTOR.services_by_name["Framegraph"].methods_by_name) == {
        "ListFeatures",
        "ExplainPlan",
        "Subscribe",
        "Analyze",
    }
