"""gRPC against a real `framegraph serve` on loopback: catalog, plans, subscriptions, health,
reflection, the token and the limits, with real gRPC clients (grpc's own health and
reflection clients among them)."""

from __future__ import annotations

import threading
import time
from typing import Any

import grpc
import httpx
import orjson
import pytest
from google.protobuf import descriptor_pool
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

from orchestrator.rpc.v1 import framegraph_pb2 as pb
from orchestrator.rpc.v1 import framegraph_pb2_grpc as pb_grpc

from .conftest import AUTH, TOKEN, Serve

HTTP_AUTH = {"Authorization": f"Bearer {TOKEN}"}


def subscribe(target: str, *requests: pb.SubscribeRequest, metadata: Any = AUTH):
    """A Subscribe call fed from a list we can append to (a queue-like request iterator)."""
    channel = grpc.insecure_channel(target)
    pending = list(requests)
    more = threading.Condition()
    done = threading.Event()

    def requests_iter():  # type: ignore[no-untyped-def]
        while True:
            with more:
                more.wait_for(lambda: pending or done.is_set())
                if not pending:
                    return
                item = pending.pop(0)
            yield item

    def send(request: pb.SubscribeRequest) -> None:
        with more:
            pending.append(request)
            more.notify()

    call = pb_grpc.FramegraphStub(channel).Subscribe(requests_iter(), metadata=metadata)
    return call, send, channel


def sub_request(features: str, **kw: Any) -> pb.SubscribeRequest:
    return pb.SubscribeRequest(subscribe=pb.Subscribe(features=[features], **kw), id="s")


def test_list_features_and_explain_plan_match_http(shared_serve: Serve, channel) -> None:
    stub = pb_grpc.FramegraphStub(channel)
    listed = stub.ListFeatures(pb.ListFeaturesRequest(), metadata=AUTH)
    http = httpx.get(f"{shared_serve.url}/features", headers=HTTP_AUTH).json()
    assert orjson.loads(listed.json) == http
    motion = next(f for f in listed.features if f.name == "motion")
    assert (motion.window, motion.window_frames, motion.ordered) == ("last 2", 2, True)
    assert list(listed.default_features) == ["image.quality"]
    plan = stub.ExplainPlan(pb.ExplainPlanRequest(features=["motion,scene.cut"]), metadata=AUTH)
    assert list(plan.order) == [
        "image.small",
        "image.thumb",
        "motion",
        "image.histogram",
        "scene.cut",
    ]
    assert (
        orjson.loads(plan.json)
        == httpx.get(
            f"{shared_serve.url}/plan", params={"features": "motion,scene.cut"}, headers=HTTP_AUTH
        ).json()
    )
    live = stub.ExplainPlan(pb.ExplainPlanRequest(), metadata=AUTH)
    assert live.live and live.subscribers == 0
    with pytest.raises(grpc.RpcError) as err:
        stub.ExplainPlan(pb.ExplainPlanRequest(features=["nope"]), metadata=AUTH)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert dict(err.value.trailing_metadata())["framegraph-error"] == "unknown_feature"


def test_health_and_reflection_with_grpcs_own_clients(channel) -> None:
    health = health_pb2_grpc.HealthStub(channel)
    serving = health_pb2.HealthCheckResponse.SERVING
    assert health.Check(health_pb2.HealthCheckRequest(service="")).status == serving
    ready = health_pb2.HealthCheckRequest(service="framegraph.v1.Framegraph")
    deadline = time.monotonic() + 10  # readiness is refreshed every 2 s
    while health.Check(ready).status != serving:  # stdin open, no model in the live plan
        assert time.monotonic() < deadline, "never SERVING"
        time.sleep(0.1)
    with pytest.raises(grpc.RpcError) as err:
        health.Check(health_pb2.HealthCheckRequest(service="nope"))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND

    reflected = ProtoReflectionDescriptorDatabase(channel)  # no token: reflection is open
    assert {"framegraph.v1.Framegraph", "grpc.health.v1.Health"} <= set(reflected.get_services())
    pool = descriptor_pool.DescriptorPool(reflected)
    event = pool.FindMessageTypeByName("framegraph.v1.Event")
    assert {"type", "frame", "subscriber", "json", "request_id"} == set(event.fields_by_name)
    method = pool.FindServiceByName("framegraph.v1.Framegraph").methods_by_name["Subscribe"]
    assert method.client_streaming and method.server_streaming


def test_the_token_is_required_but_not_for_health(channel) -> None:
    stub = pb_grpc.FramegraphStub(channel)
    for metadata in ((), (("authorization", "Bearer wrong"),)):
        with pytest.raises(grpc.RpcError) as err:
            stub.ListFeatures(pb.ListFeaturesRequest(), metadata=metadata)
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
        call = stub.Subscribe(iter([sub_request("motion")]), metadata=metadata)
        with pytest.raises(grpc.RpcError) as err:
            next(call)
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    health = health_pb2_grpc.HealthStub(channel)
    assert health.Check(health_pb2.HealthCheckRequest()).status == 1  # SERVING, no token


def events_until_end(call) -> list[pb.Event]:  # type: ignore[no-untyped-def]
    out = []
    for event in call:
        out.append(event)
        if event.type == "end":
            break
    return out


def test_two_clients_on_overlapping_subsets_each_get_exactly_theirs(serve, vtest_lines) -> None:
    server = serve("--lossless")
    a, _, ch_a = subscribe(server.target, sub_request("image.quality,motion"))
    b, _, ch_b = subscribe(server.target, sub_request("motion,scene.cut", policy="lossless"))
    assert next(a).type == "subscribed" and next(b).type == "subscribed"
    server.feed(vtest_lines)
    server.end_input()
    got = {"a": events_until_end(a), "b": events_until_end(b)}
    frames = len(vtest_lines)
    for name, subset in (("a", {"image.quality", "motion"}), ("b", {"motion", "scene.cut"})):
        events = got[name]
        assert [e.type for e in events] == ["result"] * frames + ["end"]
        assert [e.frame for e in events[:-1]] == list(range(frames))
        assert not events[-1].HasField("frame")  # only frame events carry a frame id
        for e in events[:-1]:
            data = orjson.loads(e.json)
            assert set(data["features"]) == subset and data["frame"] == e.frame
    motion_a = [orjson.loads(e.json)["features"]["motion"] for e in got["a"][:-1]]
    motion_b = [orjson.loads(e.json)["features"]["motion"] for e in got["b"][:-1]]
    assert motion_a == motion_b
    assert orjson.loads(got["a"][-1].json)["code"] == "end_of_stream"
    assert server.stop() == 0
    ch_a.close()
    ch_b.close()


def test_change_at_run_time_and_metrics_show_sharing(serve, vtest_lines) -> None:
    server = serve("--linger", "inf", "--lossless")
    a, send, channel = subscribe(server.target, sub_request("motion"))
    b, _, ch_b = subscribe(server.target, sub_request("motion"))
    ack = orjson.loads(next(a).json)
    assert next(b).type == "subscribed"
    assert ack["features"] == ["motion"] and ack["grace"] == 10.0
    server.feed(vtest_lines[:10])
    first = [next(a) for _ in range(10)]
    assert [e.frame for e in first] == list(range(10))
    send(pb.SubscribeRequest(change=pb.Change(features=["image.quality"]), id="c1"))
    changed = next(a)
    assert (changed.type, changed.request_id) == ("changed", "c1")
    from_frame = orjson.loads(changed.json)["from_frame"]
    assert from_frame == 10
    send(pb.SubscribeRequest(change=pb.Change(features=["bogus"]), id="c2"))
    rejected = next(a)
    body = orjson.loads(rejected.json)
    assert (rejected.type, body["error"], body["status"]) == ("rejected", "unknown_feature", 400)
    server.feed(vtest_lines[10:20])
    later = [orjson.loads(next(a).json) for _ in range(10)]
    assert [e["frame"] for e in later] == list(range(10, 20))
    assert all(set(e["features"]) == {"image.quality"} for e in later)
    for _ in range(20):
        next(b)
    metrics = httpx.get(f"{server.url}/metrics").text
    assert 'framegraph_feature_computations_total{feature="motion"} 20.0' in metrics
    assert 'framegraph_feature_deliveries_total{feature="motion"} 30.0' in metrics  # 10 + 20
    assert 'framegraph_subscribers{policy="latest"} 2.0' in metrics
    send(pb.SubscribeRequest(unsubscribe=pb.Unsubscribe(), id="u"))
    assert next(a).type == "unsubscribed"
    channel.close()
    ch_b.close()


def test_limits(serve) -> None:
    server = serve("--max-connections", "2", "--max-subscribers", "1", "--max-message-bytes", "256")
    a, _, ch_a = subscribe(server.target, sub_request("motion"))
    assert next(a).type == "subscribed"
    b, send_b, ch_b = subscribe(server.target, sub_request("motion"))
    refused = next(b)  # a subscription over --max-subscribers: refused, the call stays open
    body = orjson.loads(refused.json)
    assert (refused.type, body["status"], body["error"]) == ("rejected", 503, "subscriber_limit")
    c, _, ch_c = subscribe(server.target, sub_request("motion"))  # over --max-connections
    with pytest.raises(grpc.RpcError) as err:
        next(c)
    assert err.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    trailers = dict(err.value.trailing_metadata())
    assert trailers["framegraph-error"] == "connection_limit" and trailers["retry-after"] == "5"
    send_b(pb.SubscribeRequest(change=pb.Change(features=["x" * 300])))  # over 256 bytes
    with pytest.raises(grpc.RpcError) as err:
        next(b)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    for ch in (ch_a, ch_b, ch_c):
        ch.close()


@pytest.mark.triton
def test_rates_and_parameters_over_grpc(serve, vtest_lines) -> None:
    """A subscription every 3rd frame, and a feature with a parameter and its own rate: the
    same request forms as HTTP, so gRPC clients plan per client too (the smoothed expression
    starts the embedded Triton for the face nets)."""
    server = serve("--lossless")
    call, _, channel = subscribe(
        server.target,
        sub_request("image.quality,faces.expression.smoothed(window=30,every=2)", every=3),
    )
    ack = next(call)
    assert ack.type == "subscribed"
    wants = {w["feature"]: w["runs"] for w in orjson.loads(ack.json)["wants"]}
    assert wants == {
        "image.quality": "every 3 frames",
        "faces.expression.smoothed(window=30)": "every 2 frames",
    }
    deadline = time.monotonic() + 120  # the face nets start with this subscription
    while httpx.get(f"{server.url}/readyz").status_code != 200:
        assert time.monotonic() < deadline, "Triton did not start"
        time.sleep(0.1)
    server.feed(vtest_lines[:12])
    server.end_input()
    events = events_until_end(call)
    frames = [e.frame for e in events[:-1]]
    assert frames == [0, 2, 3, 4, 6, 8, 9, 10]  # the union of its frames, each once
    keys = {e.frame: set(orjson.loads(e.json)["features"]) for e in events[:-1]}
    assert keys[3] == {"image.quality"} and keys[4] == {"faces.expression.smoothed(window=30)"}
    assert server.stop() == 0
    channel.close()
