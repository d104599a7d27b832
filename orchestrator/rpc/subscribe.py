"""Subscribe: one bidirectional call, the gRPC twin of the WebSocket session.

Client → server: `subscribe` (or resume, with `subscriber` and `resume_from`), `change`,
`unsubscribe`; server → client: `Event`s whose `json` is byte for byte what SSE and WebSocket
clients receive, with the type, the frame number (frame events only: the id to resume
from) and the subscription id as typed fields. A refused request is a `rejected` event and
the call stays open; the call ends (OK) after the subscription's `end` event, or when the
client half-closes while not subscribed.

A call that breaks (cancelled, network gone) without `unsubscribe` detaches its
subscription for the grace period; one whose client accepts nothing for `send_timeout`
seconds is cut off (RESOURCE_EXHAUSTED) and detached likewise. What each request does and
how a call ends is `http.duplex`'s, shared with the WebSocket session; this module only
decodes requests and encodes events.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import orjson

from orchestrator.delivery.resume import Lease
from orchestrator.delivery.subscriber import Message
from orchestrator.http.duplex import NO_ID, Duplex, Request
from orchestrator.http.errors import ApiError
from orchestrator.http.service import Service
from orchestrator.rpc.errors import abort, utf8
from orchestrator.rpc.v1 import framegraph_pb2 as pb


class SubscribeCall(Duplex[pb.Event]):
    """One call: at most one subscription at a time (`Duplex`), its events and replies as
    `Event`s whose `json` is the event's JSON."""

    TRANSPORT = "gRPC"
    GONE = (Exception,)  # a write to a call that is gone (cancelled, reset) raises anything

    def __init__(self, service: Service, context: grpc.aio.ServicerContext) -> None:
        super().__init__(service)
        self.context = context

    async def run(self, requests: AsyncIterator[pb.SubscribeRequest]) -> None:
        try:
            release_slot = self.service.connect()
        except ApiError as err:
            await abort(self.context, err)
        try:
            failure = await self.serve(self._read(requests), half_close=True)
        finally:
            release_slot()
        if isinstance(failure, grpc.aio.AbortError):  # a message refused: the call ends so
            raise failure
        # Any other failure of the reader means the call is gone (cancelled, reset).
        if self.cut_off:
            limit = self.service.settings.send_timeout
            slow = ApiError(503, "too_slow", f"cut off: accepted nothing for {limit:g} s")
            await abort(self.context, slow)

    async def _read(self, requests: AsyncIterator[pb.SubscribeRequest]) -> None:
        limit = self.service.settings.max_message_bytes
        async for request in requests:
            if request.ByteSize() > limit:
                err = ApiError(400, "message_too_large", f"message over {limit} bytes")
                await abort(self.context, err)
            await self.handle(_request(request))

    # Duplex: protobuf Events ---------------------------------------------------------------
    def encode_event(self, msg: Message, sub_id: int) -> pb.Event:
        event = pb.Event(type=msg.kind, subscriber=sub_id, json=utf8(msg.data))
        if msg.frame_event:
            event.frame = msg.seq
        return event

    def encode_reply(self, body: dict[str, Any], request: Request | None) -> pb.Event:
        lease = self.lease
        sub_id = body.get("subscriber") or (lease.sub.id if lease is not None else 0)
        event = pb.Event(type=body["type"], subscriber=sub_id)
        if request is not None and request.id is not NO_ID:
            event.request_id = request.id
            body = {**body, "id": request.id}
        event.json = utf8(orjson.dumps(body))
        return event

    def encode_end(self, lease: Lease) -> pb.Event:
        return pb.Event(type="end", subscriber=lease.sub.id, json=utf8(lease.end_event()))

    async def write(self, item: pb.Event) -> None:
        await self.context.write(item)


def _request(message: pb.SubscribeRequest) -> Request:
    """A Subscribe message as the transport-neutral request (unset fields: not given)."""
    kind = message.WhichOneof("request") or ""
    rid = message.id or NO_ID
    if kind == "subscribe":
        sub = message.subscribe
        return Request(
            kind,
            list(sub.features),
            sub.policy or None,
            sub.queue or None,
            sub.rate if sub.HasField("rate") else None,
            sub.every if sub.HasField("every") else None,
            sub.subscriber if sub.HasField("subscriber") else None,
            sub.resume_from if sub.HasField("resume_from") else None,
            rid,
        )
    if kind == "change":
        change = message.change
        return Request(
            kind,
            list(change.features),
            rate=change.rate if change.HasField("rate") else None,
            every=change.every if change.HasField("every") else None,
            id=rid,
        )
    return Request(kind, id=rid)
