"""The embedded Triton launcher: backends directory, environment, lifecycle, failure messages.

Servers here run a one-model repository (a Python model that reports its interpreter), so
each start takes about a second.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from orchestrator.triton.backend.install import (
    Bundle,
    BundleNotFound,
    backends_directory,
    server_environment,
)
from orchestrator.triton.embedded import EmbeddedTriton, TritonStartupError

PROBE_CONFIG = """
name: "probe"
backend: "python"
max_batch_size: 0
input [{ name: "x" data_type: TYPE_FP32 dims: [ 1 ] }]
output [{ name: "about" data_type: TYPE_STRING dims: [ 1 ] }]
"""
PROBE_MODEL = """
import json, sys
import numpy as np
import onnxruntime
import triton_python_backend_utils as pb_utils

class TritonPythonModel:
    def execute(self, requests):
        about = json.dumps({"numpy": np.__version__, "onnxruntime": onnxruntime.__version__,
                            "prefix": sys.prefix, "version": list(sys.version_info[:3])})
        tensor = pb_utils.Tensor("about", np.array([about.encode()], dtype=np.object_))
        return [pb_utils.InferenceResponse(output_tensors=[tensor]) for _ in requests]
"""


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    try:
        return Bundle.locate()
    except BundleNotFound as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def probe_repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("repository")
    (root / "probe" / "1").mkdir(parents=True)
    (root / "probe" / "config.pbtxt").write_text(PROBE_CONFIG)
    (root / "probe" / "1" / "model.py").write_text(PROBE_MODEL)
    return root


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie nobody reaped yet counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if text.encode() in cmdline and alive(int(entry.name)):
                found.append(int(entry.name))
    return found


def wait_gone(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := [p for p in pids if alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def test_backends_directory_is_built_once(bundle: Bundle, tmp_path: Path) -> None:
    with ThreadPoolExecutor(4) as pool:  # racing builders end up with one complete copy
        built = set(pool.map(lambda _: backends_directory(bundle, tmp_path), range(4)))
    (first,) = built
    stub = first / "python" / "triton_python_backend_stub"
    assert os.access(stub, os.X_OK) and stub.stat().st_size == bundle.stub.stat().st_size
    assert (first / "python" / "libtriton_python.so").exists()
    assert (first / "onnxruntime" / "model.py").read_text().count("class TritonPythonModel") == 1
    assert first.name.startswith(f"py{sys.version_info.major}{sys.version_info.minor}-")
    stamp = stub.stat().st_mtime_ns
    assert backends_directory(bundle, tmp_path) == first and stub.stat().st_mtime_ns == stamp
    assert [p.name for p in tmp_path.iterdir()] == [first.name]  # no half-built leftovers


def test_server_environment_points_stubs_at_this_python(bundle: Bundle) -> None:
    env = server_environment(bundle, {"PATH": "/usr/bin", "PYTHONHOME": "/elsewhere"})
    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)
    assert str(bundle.libs) in env["LD_LIBRARY_PATH"].split(os.pathsep)
    assert "PYTHONHOME" not in env


@pytest.mark.triton
def test_start_probe_and_stop(probe_repository: Path) -> None:
    with EmbeddedTriton(probe_repository, models=["probe"]) as server:
        assert server.running and server.startup_seconds is not None
        assert server.grpc_url.startswith("127.0.0.1:")
        body = json.dumps(
            {"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [0.0]}]}
        ).encode()
        url = f"{server.http_url}/v2/models/probe/infer"
        with urllib.request.urlopen(urllib.request.Request(url, body), timeout=10) as response:
            about = json.loads(json.loads(response.read())["outputs"][0]["data"][0])
        # The Python models run this interpreter with this environment's packages.
        assert about["numpy"] == np.__version__ and about["prefix"] == sys.prefix
        assert about["version"] == list(sys.version_info[:3])
        metrics = urllib.request.urlopen(server.metrics_url, timeout=5).read().decode()
        assert "nv_inference_count" in metrics
        pid, log = server.pid, server.log_path
    assert not server.running and not alive(pid) and not log.exists()


@pytest.mark.triton
def test_server_started_from_a_short_lived_thread_survives_it(probe_repository: Path) -> None:
    server = EmbeddedTriton(probe_repository)
    worker = threading.Thread(target=server.start)
    worker.start()
    worker.join()
    try:
        time.sleep(0.5)  # PR_SET_PDEATHSIG would have fired when the forking thread exited
        assert server.running
    finally:
        server.stop()


CHILD = """
import sys, time
from orchestrator.triton.embedded import EmbeddedTriton
server = EmbeddedTriton(sys.argv[1], log_path=sys.argv[2]).start()
print(server.pid, flush=True)
time.sleep(600)
"""


@pytest.mark.triton
def test_server_dies_with_its_parent(probe_repository: Path, tmp_path: Path) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(probe_repository), str(tmp_path / "server.log")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        server_pid = int(parent.stdout.readline())
        assert alive(server_pid)
        family = processes_mentioning(str(probe_repository))  # the server and its model stub
        assert server_pid in family and len(family) >= 2
        parent.kill()  # SIGKILL: no atexit, no cleanup in the parent
        parent.wait()
        assert wait_gone(family, 15) == []
    finally:
        parent.kill()
        parent.wait()


@pytest.mark.triton
def test_bad_repository_fails_with_the_servers_reason(tmp_path: Path) -> None:
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "config.pbtxt").write_text('backend: "python" max_batch_size: x')
    with pytest.raises(TritonStartupError) as error:
        EmbeddedTriton(tmp_path, startup_timeout=60, log_path=tmp_path / "log").start()
    message = str(error.value)
    assert message.startswith("tritonserver exited with status 1 during start-up")
    assert "broken" in message and "Expected integer" in message
    assert f"server log: {tmp_path / 'log'}" in message  # kept for a closer look


@pytest.mark.triton
def test_unknown_model_fails_naming_it(probe_repository: Path, tmp_path: Path) -> None:
    server = EmbeddedTriton(probe_repository, models=["probe", "nope"], log_path=tmp_path / "log")
    with pytest.raises(TritonStartupError, match="failed to poll model 'nope'"):
        server.start()
    assert not server.running


def test_missing_repository_fails_before_starting(tmp_path: Path) -> None:
    with pytest.raises(TritonStartupError, match="is not a folder"):
        EmbeddedTriton(tmp_path / "absent").start()
