"""POST /analyze and gRPC Analyze on a real server: the payload checks and codes of stdin
lines, features that need history refused by name, the concurrency bound."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import grpc
import httpx
import orjson
import pytest

from orchestrator.http import Settings
from orchestrator.rpc.server import GrpcServer
from orchestrator.rpc.v1 import framegraph_pb2 as pb
from orchestrator.rpc.v1 import framegraph_pb2_grpc as pb_grpc


@pytest.fixture
async def api(start) -> AsyncIterator[tuple[httpx.AsyncClient, pb_grpc.FramegraphStub, object]]:
    """(HTTP client, gRPC stub, live server): one server, both transports."""
    live = await start(Settings(max_image_bytes=200_000, max_analyses=2))
    rpc = GrpcServer(live.service, port=0)
    await rpc.start()
    try:
        async with (
            httpx.AsyncClient(base_url=live.url, timeout=10) as http,
            grpc.aio.insecure_channel(f"127.0.0.1:{rpc.port}") as channel,
        ):
            yield http, pb_grpc.FramegraphStub(channel), live
    finally:
        await rpc.stop(0)


async def both(api, data: bytes, features: str) -> tuple[httpx.Response, object]:  # type: ignore[no-untyped-def]
    http, stub, _ = api
    response = await http.post("/analyze", params={"features": features}, content=data)
    try:
        reply = await stub.Analyze(pb.AnalyzeRequest(image=data, features=[features]))
    except grpc.aio.AioRpcError as exc:
        return response, exc
    return response, reply


async def test_a_good_image_over_both_transports(api, vtest_jpegs) -> None:
    response, reply = await both(api, vtest_jpegs[0], "image.quality")
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "result" and "frame" not in body  # not a frame of the stream
    assert body["image"] == {"format": "JPEG", "width": 768, "height": 576}
    assert set(body["features"]) == {"image.quality"} and body["errors"] == {}
    assert (reply.width, reply.height, list(reply.features)) == (768, 576, ["image.quality"])
    assert orjson.loads(reply.json)["features"] == body["features"]  # same computation
    # JSON with base64 (URL-safe, unpadded) is the same image
    b64 = base64.urlsafe_b64encode(vtest_jpegs[0]).rstrip(b"=").decode()
    http, _, live = api
    again = await http.post("/analyze", json={"image": b64, "features": ["image.quality"]})
    assert again.json()["features"] == body["features"]
    assert live.worker.hub.next_seq == 0  # the stream's frame numbering is untouched
    counted = live.telemetry.by_label("framegraph_analyze_requests_total", "outcome")
    assert counted == {"ok": 3.0}


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda jpeg: b"", "empty"),
        (lambda jpeg: b"hello, this is text, not an image", "not_an_image"),
        (lambda jpeg: jpeg[: len(jpeg) // 2], "truncated"),
        (lambda jpeg: jpeg[:20] + b"\x00" * (len(jpeg) - 22) + b"\xff\xd9", "not_an_image"),
    ],
)
async def test_bad_payloads_get_the_codes_of_stdin_lines(api, vtest_jpegs, make, code) -> None:
    response, exc = await both(api, make(vtest_jpegs[0]), "image.quality")
    assert (response.status_code, response.json()["error"]) == (400, code)
    assert isinstance(exc, grpc.aio.AioRpcError)
    assert exc.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert dict(exc.trailing_metadata())["framegraph-error"] == code


async def test_too_large_and_not_base64(api, vtest_jpegs) -> None:
    http, _, live = api
    big = await http.post("/analyze?features=image.quality", content=b"\xff" * 300_000)
    assert (big.status_code, big.json()["error"]) == (413, "too_large")
    bad = await http.post("/analyze", json={"image": "@@not base64@@", "features": "image.quality"})
    assert (bad.status_code, bad.json()["error"]) == (400, "not_base64")
    live.service.analyzer.max_pixels = 1000  # a header that declares more pixels
    pixels = await http.post("/analyze?features=image.quality", content=vtest_jpegs[0])
    assert (pixels.status_code, pixels.json()["error"]) == (413, "too_large")


async def test_features_that_need_history_are_refused_by_name(api, vtest_jpegs) -> None:
    response, exc = await both(api, vtest_jpegs[0], "faces.expression.smoothed")
    body = response.json()
    assert (response.status_code, body["error"]) == (400, "needs_history")
    assert body["features"] == ["faces.tracks", "faces.expression.smoothed"]
    assert "faces.tracks" in body["message"] and "faces.expression.smoothed" in body["message"]
    assert isinstance(exc, grpc.aio.AioRpcError)
    assert dict(exc.trailing_metadata())["framegraph-error"] == "needs_history"
    response, _ = await both(api, vtest_jpegs[0], "nope")
    assert response.json()["error"] == "unknown_feature"


async def test_beyond_the_limit_calls_are_refused_with_retry_advice(api, vtest_jpegs) -> None:
    _, _, live = api
    live.service.analyzer.active = 2  # two calls in progress (the limit)
    response, exc = await both(api, vtest_jpegs[0], "image.quality")
    assert (response.status_code, response.json()["error"]) == (503, "busy")
    assert response.headers["Retry-After"] == "1"
    assert isinstance(exc, grpc.aio.AioRpcError)
    assert exc.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert dict(exc.trailing_metadata())["retry-after"] == "1"
    live.service.analyzer.active = 0
    response, _ = await both(api, vtest_jpegs[0], "image.quality")
    assert response.status_code == 200
