"""One-shot analysis with neural features through the real embedded Triton, beside a live
stream: same results as the stream's for the same image, and a stream whose outputs are
identical with and without analysis calls interleaved (same tracks, same windows)."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import orjson
import pytest

from orchestrator.features import default_catalog
from orchestrator.http import Settings
from orchestrator.http.testing import LiveServer
from orchestrator.rpc.server import GrpcServer
from orchestrator.rpc.v1 import framegraph_pb2 as pb
from orchestrator.rpc.v1 import framegraph_pb2_grpc as pb_grpc
from orchestrator.stream.pipeline import PipelineConfig
from orchestrator.triton.client import TritonClient

pytestmark = pytest.mark.triton
ROOT = Path(__file__).resolve().parents[2]
STREAM = "persons,persons.tracks,motion"


async def live_server(url: str) -> AsyncIterator[LiveServer]:
    client = TritonClient(url)
    await client.check(default_catalog().models())
    try:
        async with LiveServer(Settings(), PipelineConfig(lossless=True), triton=client) as live:
            yield live
    finally:
        await client.close()


async def stream_events(live: LiveServer, lines: list[bytes], during=None) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The stream's result events for `lines`, with `during()` run while they are fed."""
    events: list[dict[str, Any]] = []
    params = {"features": STREAM}
    async with (
        httpx.AsyncClient(timeout=httpx.Timeout(30, read=120)) as http,
        http.stream("GET", f"{live.url}/events", params=params) as r,
    ):
        feeding = asyncio.create_task(live.feed(lines, fps=20))
        side = asyncio.create_task(during()) if during else None
        async for line in r.aiter_lines():
            if line.startswith("data:"):
                event = orjson.loads(line[5:])
                if event["type"] == "result":
                    events.append(event)
                if len(events) == len(lines):
                    break
        await feeding
        if side is not None:
            await side
    return events


def same_boxes(a: dict[str, Any], b: dict[str, Any]) -> bool:
    boxes = [[o["box"] for o in x["objects"]] for x in (a, b)]
    return len(boxes[0]) == len(boxes[1]) and all(
        abs(p - q) <= 1.0 for u, v in zip(*boxes, strict=True) for p, q in zip(u, v, strict=True)
    )


def test_analyze_beside_a_live_stream(triton, vtest_jpegs, megamind_jpegs) -> None:
    lines = [base64.b64encode(j) for j in vtest_jpegs[:16]]

    async def run() -> None:
        async for live in live_server(triton.grpc_url):
            rpc = GrpcServer(live.service, port=0)
            await rpc.start()
            try:
                await check(live, rpc.port)
            finally:
                await rpc.stop(0)

    async def check(live: LiveServer, port: int) -> None:
        async with (
            httpx.AsyncClient(base_url=live.url, timeout=60) as http,
            grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel,
        ):
            stub = pb_grpc.FramegraphStub(channel)

            async def analyze_http(jpeg: bytes, features: str) -> dict[str, Any]:
                r = await http.post("/analyze", params={"features": features}, content=jpeg)
                assert r.status_code == 200, r.text
                return r.json()

            async def analyze_grpc(jpeg: bytes, features: str) -> dict[str, Any]:
                reply = await stub.Analyze(pb.AnalyzeRequest(image=jpeg, features=[features]))
                return orjson.loads(reply.json)

            async def interleave() -> None:  # analysis calls while the stream runs
                for jpeg in megamind_jpegs[:6]:
                    await asyncio.gather(
                        analyze_http(jpeg, "faces,faces.expression"),
                        analyze_grpc(vtest_jpegs[20], "persons,persons.pose"),
                    )

            plain = await stream_events(live, lines)
            mixed = await stream_events(live, lines, interleave)  # a second stretch

            # Same windows and tracks: the second stretch continues the first one exactly
            # as it would without the calls (frame numbers continue, motion is warm, the
            # tracker's ids go on); compare it with a run of its own below.
            assert [e["frame"] for e in plain] == list(range(16))
            assert [e["frame"] for e in mixed] == list(range(16, 32))

            # One-shot results are the stream's for the same image.
            person = await analyze_http(vtest_jpegs[0], "persons")
            assert same_boxes(person["features"]["persons"], plain[0]["features"]["persons"])
            face = await analyze_grpc(megamind_jpegs[0], "faces,faces.expression")
            assert face["features"]["faces"]["count"] >= 1
            labels = face["features"]["faces.expression"]["faces"]
            assert len(labels) == face["features"]["faces"]["count"]
            analyses = live.telemetry.by_label("framegraph_analyze_requests_total", "outcome")
            assert analyses == {"ok": 14.0}
            streamed.append(mixed)

    streamed: list[list[dict[str, Any]]] = []
    asyncio.run(run())
    mixed = streamed[0]

    async def reference() -> list[dict[str, Any]]:  # the same two stretches, no calls at all
        async for live in live_server(triton.grpc_url):
            await stream_events(live, lines)
            return await stream_events(live, lines)
        raise AssertionError("unreachable")

    alone = asyncio.run(reference())
    assert [e["frame"] for e in alone] == [e["frame"] for e in mixed]
    for a, m in zip(alone, mixed, strict=True):
        fa, fm = a["features"], m["features"]
        assert fa["motion"] == fm["motion"]  # same windows
        assert [o["track"] for o in fa["persons.tracks"]["objects"]] == [
            o["track"] for o in fm["persons.tracks"]["objects"]
        ]  # same tracks
        assert same_boxes(fa["persons"], fm["persons"])


def test_framegraph_analyze_with_a_net_locally_and_through_a_service(triton) -> None:
    """The command line with a neural feature: locally (on this Triton) and over gRPC to a
    `framegraph serve --no-stream` on the same Triton, the same persons."""
    from ..rpc.conftest import TOKEN, Serve

    image = str(sorted((ROOT / "samples" / "vtest").glob("*.jpg"))[0])
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FRAMEGRAPH_TOKEN": TOKEN}

    def analyze(*args: str) -> dict[str, Any]:
        run = subprocess.run(
            [sys.executable, "-m", "orchestrator", "analyze", image, "-f", "persons", *args],
            capture_output=True,
            timeout=120,
            cwd=ROOT,
            env=env,
        )
        assert run.returncode == 0, run.stderr.decode()
        return orjson.loads(run.stdout)

    local = analyze("--triton-url", triton.grpc_url)
    server = Serve("--no-stream", "--triton-url", triton.grpc_url)
    try:
        remote = analyze("--grpc", server.target)
    finally:
        server.stop()
    assert local["features"]["persons"]["count"] >= 1 and local["errors"] == {}
    assert same_boxes(local["features"]["persons"], remote["features"]["persons"])
