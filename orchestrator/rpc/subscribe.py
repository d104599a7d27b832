"""Subscribe: one bidirectional call, the gRPC twin of the WebSocket session.

Client → server: `subscribe` (or resume, with `subscriber` and `resume_from`), `change`,
`unsubscribe`; server → client: `Event`s whose `json` is byte for byte what SSE and WebSocket
clients receive, with the type, the frame number (frame events only: the id to resume
from) and the subscription id as typed fields. A refused request is a `rejected` event and
the call stays open; the call ends (OK) after the subscription's `end` event, or when the
client half-closes while not subscribed.

A call that breaks (cancelled, network gone) without `unsubscribe` detaches its
subscription for the grace period; one whose client accepts nothing for `send_timeout`
seconds is cut off (RESOURCE_EXHAUSTED) and detached likewise.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import grpc
import orjson

from orchestrator.delivery.resume import Lease
from orchestrator.delivery.subscriber import Message
from orchestrator.http.errors import ApiError
from orchestrator.http.params import check_features, split_names, subscription
from orchestrator.http.service import Service
from orchestrator.rpc.errors import abort, utf8
from orchestrator.rpc.v1 import framegraph_pb2 as pb

log = logging.getLogger(__name__)


class SubscribeCall:
    def __init__(self, service: Service, context: grpc.aio.ServicerContext) -> None:
        self.service = service
        self.context = context
        self.lease: Lease | None = None
        self.pump: asyncio.Task[None] | None = None
        self.ended = False  # the subscription's `end` was sent
        self.cut_off = False
        self.finished = asyncio.Event()
        self._lock = asyncio.Lock()

    async def run(self, requests: AsyncIterator[pb.SubscribeRequest]) -> None:
        try:
            release_slot = self.service.connect()
        except ApiError as err:
            await abort(self.context, err)
        reading = asyncio.create_task(self._read(requests))
        finishing = asyncio.create_task(self.finished.wait())
        closing = asyncio.create_task(self.service.closing.wait())
        tasks = (reading, finishing, closing)
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            if done == {closing} and self.pump is None and self.service.resumer.detached:
                # The stream is over, but this may be a client coming back for its last events.
                done, _ = await asyncio.wait(
                    {reading, finishing},
                    timeout=self.service.resumer.grace,
                    return_when=asyncio.FIRST_COMPLETED,
                )
            if reading in done and reading.exception() is None and self.pump is not None:
                await finishing  # half-closed while subscribed: events go on until `end`
            elif closing.done() and self.pump is not None and not finishing.done():
                await asyncio.wait({finishing}, timeout=self.service.settings.send_timeout)
            if reading.done() and not reading.cancelled() and reading.exception():
                raise reading.exception()  # type: ignore[misc]
        finally:
            for task in tasks:
                task.cancel()
            await self._stop_pump()
            if self.lease is not None:
                self.service.leave(self.lease, finished=self.ended)
            release_slot()
        if self.cut_off:
            limit = self.service.settings.send_timeout
            slow = ApiError(503, "too_slow", f"cut off: accepted nothing for {limit:g} s")
            await abort(self.context, slow)

    # Client requests -------------------------------------------------------------------
    async def _read(self, requests: AsyncIterator[pb.SubscribeRequest]) -> None:
        limit = self.service.settings.max_message_bytes
        async for request in requests:
            if request.ByteSize() > limit:
                err = ApiError(400, "message_too_large", f"message over {limit} bytes")
                await abort(self.context, err)
            kind = request.WhichOneof("request") or ""
            try:
                await self._request(kind, request)
            except ApiError as err:
                body = {"type": "rejected", "request": kind or None, "status": err.status}
                body |= err.body()
                if request.id:
                    body["id"] = request.id
                await self._reply("rejected", body, request.id)

    async def _request(self, kind: str, request: pb.SubscribeRequest) -> None:
        service = self.service
        if kind == "subscribe":
            if self.lease is not None:
                raise ApiError(409, "already_subscribed", "already subscribed; send 'change'")
            sub = request.subscribe
            if sub.HasField("subscriber"):
                after = sub.resume_from if sub.HasField("resume_from") else None
                self.lease = service.resume(sub.subscriber, after)
            else:
                self.lease = service.open(
                    subscription(
                        service.planner,
                        service.settings,
                        list(sub.features),
                        sub.policy or None,
                        sub.queue or None,
                    )
                )
            self.ended = False
            await self._reply("subscribed", service.ack_lease(self.lease), request.id)
            self.pump = asyncio.create_task(self._pump(self.lease))
        elif kind == "change":
            if self.lease is None:
                raise ApiError(409, "not_subscribed", "not subscribed; send 'subscribe'")
            names = split_names(list(request.change.features))
            if not names:
                raise ApiError(400, "no_features", "name the new features, or unsubscribe")
            features = check_features(service.planner, names, service.settings)
            from_frame = service.hub.next_seq
            service.change(self.lease.sub, features)
            await self._reply(
                "changed", service.ack("changed", self.lease.sub, from_frame), request.id
            )
        elif kind == "unsubscribe":
            if self.lease is None:
                raise ApiError(409, "not_subscribed", "not subscribed")
            lease, self.lease = self.lease, None
            await self._stop_pump()
            service.leave(lease, unsubscribed=True)
            body = {"type": "unsubscribed", "subscriber": lease.sub.id}
            await self._reply("unsubscribed", body, request.id, lease.sub.id)
        else:
            raise ApiError(400, "unknown_type", "send one of subscribe, change, unsubscribe")

    # Events ------------------------------------------------------------------------------
    async def _pump(self, lease: Lease) -> None:
        sub_id = lease.sub.id
        try:
            while (msg := await lease.get()) is not None:
                await self._send(_event(msg, sub_id))
            end = pb.Event(type="end", subscriber=sub_id, json=utf8(lease.end_event()))
            await self._send(end)
            self.ended = True
        except asyncio.TimeoutError:
            log.warning(
                "cut off a gRPC client that accepted nothing for %s s",
                self.service.settings.send_timeout,
            )
            self.cut_off = True
        except asyncio.CancelledError:
            raise
        except Exception:  # the call is gone (cancelled, reset): detached by `run`
            pass
        self.finished.set()

    async def _stop_pump(self) -> None:
        if self.pump is not None:
            self.pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.pump
            self.pump = None

    async def _reply(
        self, kind: str, body: dict[str, Any], request_id: str, sub_id: int | None = None
    ) -> None:
        if sub_id is None:
            sub_id = self.lease.sub.id if self.lease is not None else 0
        event = pb.Event(type=kind, subscriber=sub_id, json=utf8(orjson.dumps(body)))
        if request_id:
            event.request_id = request_id
        await self._send(event)

    async def _send(self, event: pb.Event) -> None:
        async with self._lock:
            await asyncio.wait_for(self.context.write(event), self.service.settings.send_timeout)


def _event(msg: Message, sub_id: int) -> pb.Event:
    if msg.frame_event:
        return pb.Event(type=msg.kind, frame=msg.seq, subscriber=sub_id, json=utf8(msg.data))
    return pb.Event(type=msg.kind, subscriber=sub_id, json=utf8(msg.data))
