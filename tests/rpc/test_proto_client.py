"""The `.proto` is the whole contract: a client generated from it alone, with no Framegraph
code, lists features, explains a plan, analyses an image and subscribes (bidirectional:
subscribe, change, unsubscribe) against a real `framegraph serve --grpc-port`.

grpcurl is not installable here, so grpcio-tools stands in for "any language's gRPC tools":
the stubs are generated from proto/framegraph/v1/framegraph.proto into a temporary folder
and used by a separate interpreter that cannot import the `orchestrator` package
(tests/rpc/foreign_client.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from orchestrator.http.testing import synthetic_lines

from .conftest import TOKEN, Serve

ROOT = Path(__file__).resolve().parents[2]
CLIENT = Path(__file__).with_name("foreign_client.py")


def generate_stubs(out: Path) -> None:
    """What a user does with the .proto: protoc with the gRPC plugin, nothing of ours."""
    include = subprocess.run(
        [
            sys.executable,
            "-c",
            "import grpc_tools, os; print(os.path.dirname(grpc_tools.__file__))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"-I{ROOT / 'proto'}",
            f"-I{include}/_proto",
            f"--python_out={out}",
            f"--grpc_python_out={out}",
            "framegraph/v1/framegraph.proto",
        ],
        check=True,
        timeout=60,
    )
    assert (out / "framegraph" / "v1" / "framegraph_pb2_grpc.py").exists()


def test_a_client_from_the_proto_alone(serve, tmp_path: Path) -> None:
    generate_stubs(tmp_path)
    server: Serve = serve("--lossless")
    image = sorted((ROOT / "samples" / "vtest").glob("*.jpg"))[0]
    client = subprocess.Popen(
        [sys.executable, "-E", "-s", str(CLIENT), str(tmp_path), server.target, TOKEN, str(image)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        text=True,
    )
    assert client.stdout is not None
    steps: dict[str, list[dict]] = {}
    try:
        for line in client.stdout:
            step = json.loads(line)
            steps.setdefault(step["step"], []).append(step)
            if step["step"] == "subscribed":
                server.feed(synthetic_lines(4))
            elif step["step"] == "changed":
                server.feed(synthetic_lines(7)[4:])
        assert client.wait(30) == 0, client.stderr.read() if client.stderr else ""
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()

    assert "unexpected" not in steps
    assert {"image.quality", "motion", "persons"} <= set(steps["features"][0]["names"])
    assert steps["features"][0]["motion_ordered"] is True
    assert steps["plan"][0]["order"] == ["image.small", "image.thumb", "motion"]
    analyzed = steps["analyze"][0]
    assert (analyzed["width"], analyzed["height"], analyzed["features"]) == (
        768,
        576,
        ["image.quality"],
    )
    assert analyzed["result"]["type"] == "result" and "brightness" in str(analyzed["result"])
    assert steps["unauthenticated"][0]["code"] == "UNAUTHENTICATED"

    ack = steps["subscribed"][0]
    assert (ack["request_id"], ack["has_frame"], ack["features"]) == (
        "s1",
        False,
        ["image.quality"],
    )
    results = steps["result"]
    assert [r["frame"] for r in results] == list(range(7))
    assert all(r["has_frame"] and r["subscriber"] == ack["subscriber"] for r in results)
    assert steps["changed"][0] == {"step": "changed", "request_id": "c1", "from_frame": 4}
    assert all(r["features"] == ["image.quality"] for r in results[:4])
    assert all(r["features"] == ["image.quality", "motion"] for r in results[4:])
    assert steps["unsubscribed"][0]["request_id"] == "u1"
    assert steps["done"][0] == {"step": "done", "rest": [], "code": "OK"}
