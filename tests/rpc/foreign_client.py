"""A gRPC client written from proto/framegraph/v1/framegraph.proto alone, as a user of any
language would: stubs generated from the .proto by the test, no Framegraph code at all
(importing the package is made impossible). Run by tests/rpc/test_proto_client.py.

    python foreign_client.py STUBS_DIR HOST:PORT TOKEN IMAGE

Prints one JSON line per step; the test feeds frames to the server when it reads
`subscribed` (then `changed`) and checks the lines.
"""

from __future__ import annotations

import json
import queue
import sys

sys.modules["orchestrator"] = None  # type: ignore[assignment]  # any import of it fails

stubs, target, token, image = sys.argv[1:5]
sys.path.insert(0, stubs)

import grpc  # noqa: E402
from framegraph.v1 import framegraph_pb2 as pb  # noqa: E402
from framegraph.v1 import framegraph_pb2_grpc as pb_grpc  # noqa: E402

AUTH = (("authorization", f"Bearer {token}"),)


def say(step: str, **fields: object) -> None:
    print(json.dumps({"step": step, **fields}), flush=True)


def main() -> None:
    with grpc.insecure_channel(target) as channel:
        stub = pb_grpc.FramegraphStub(channel)

        listed = stub.ListFeatures(pb.ListFeaturesRequest(), metadata=AUTH)
        motion = next(f for f in listed.features if f.name == "motion")
        say("features", names=[f.name for f in listed.features], motion_ordered=motion.ordered)

        plan = stub.ExplainPlan(pb.ExplainPlanRequest(features=["motion"]), metadata=AUTH)
        say("plan", order=list(plan.order), requested=list(plan.requested))

        with open(image, "rb") as f:
            reply = stub.Analyze(
                pb.AnalyzeRequest(image=f.read(), features=["image.quality"]), metadata=AUTH
            )
        say(
            "analyze",
            width=reply.width,
            height=reply.height,
            features=list(reply.features),
            result=json.loads(reply.json),
        )
        try:
            stub.Analyze(pb.AnalyzeRequest(image=b"not an image", features=["image.quality"]))
        except grpc.RpcError as exc:  # no token: refused before anything else
            say("unauthenticated", code=exc.code().name)

        subscribe(stub)


def subscribe(stub: pb_grpc.FramegraphStub) -> None:
    """Subscribe, read results, change the subset, read on, unsubscribe, half-close."""
    outbox: queue.Queue[pb.SubscribeRequest | None] = queue.Queue()

    def requests():  # type: ignore[no-untyped-def]
        while (request := outbox.get()) is not None:
            yield request

    call = stub.Subscribe(requests(), metadata=AUTH)
    events = iter(call)

    def until(kind: str) -> pb.Event:
        for event in events:
            if event.type == kind:
                return event
            say("unexpected", type=event.type, json=event.json)
        raise SystemExit(f"the call ended before {kind}")

    def results(count: int) -> None:
        for _ in range(count):
            event = until("result")
            data = json.loads(event.json)
            say(
                "result",
                frame=event.frame,
                has_frame=event.HasField("frame"),
                subscriber=event.subscriber,
                features=sorted(data["features"]),
            )

    outbox.put(pb.SubscribeRequest(subscribe=pb.Subscribe(features=["image.quality"]), id="s1"))
    ack = until("subscribed")
    body = json.loads(ack.json)
    say(
        "subscribed",
        request_id=ack.request_id,
        has_frame=ack.HasField("frame"),
        subscriber=ack.subscriber,
        features=body["features"],
        grace=body["grace"],
    )
    results(4)
    outbox.put(pb.SubscribeRequest(change=pb.Change(features=["motion,image.quality"]), id="c1"))
    changed = until("changed")
    say("changed", request_id=changed.request_id, from_frame=json.loads(changed.json)["from_frame"])
    results(3)
    outbox.put(pb.SubscribeRequest(unsubscribe=pb.Unsubscribe(), id="u1"))
    gone = until("unsubscribed")
    say("unsubscribed", request_id=gone.request_id)
    outbox.put(None)  # half-close while not subscribed: the server ends the call
    rest = [event.type for event in events]
    say("done", rest=rest, code=call.code().name)


if __name__ == "__main__":
    main()
