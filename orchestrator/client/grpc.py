"""The gRPC transport of the Python client: the same calls and events as over HTTP.

    async with GrpcClient("localhost:50051", token=...) as fg:
        print(await fg.features())
        result = await fg.analyze(open("photo.jpg", "rb").read(), ["persons"])
        async for event in fg.events(["motion"]):                   # one subscription
            ...
        async with fg.connect() as call:                            # changes at run time
            await call.subscribe(["motion"])
            await call.change(["motion", "image.quality"])
            async for event in call: ...

Events are the client's `Event`s, parsed from each message's `json` (the very bytes SSE and
WebSocket clients get). A refusal raises `ServiceError` with the HTTP-equivalent status and
the API's error code (from the trailing metadata `framegraph-error`); a broken call raises
`ConnectionError`, so `client.resume.afollow` can resume it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Sequence
from typing import Any

import grpc
import orjson

from orchestrator.client.events import Event, ServiceError
from orchestrator.client.protocol import Session
from orchestrator.client.resume import Cursor
from orchestrator.rpc.v1 import framegraph_pb2 as pb
from orchestrator.rpc.v1 import framegraph_pb2_grpc as pb_grpc

Features = str | Sequence[str] | None
# gRPC status -> the HTTP API's status for the same refusal (orchestrator.rpc.errors).
_HTTP = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 503,
}
MAX_MESSAGE = 64 * 1024 * 1024


def _names(features: Features) -> list[str]:
    if not features:
        return []
    return [features] if isinstance(features, str) else list(features)


def service_error(exc: grpc.aio.AioRpcError) -> ServiceError | ConnectionError:
    """A refusal as `ServiceError`; anything else (the call broke) as `ConnectionError`."""
    trailers = dict(exc.trailing_metadata() or ())
    code = str(trailers.get("framegraph-error", ""))
    status = _HTTP.get(exc.code())
    if status is None or code == "too_slow":  # too_slow: cut off, resumable
        return ConnectionError(f"gRPC {exc.code().name}: {exc.details()}")
    body: dict[str, Any] = {"error": code or exc.code().name.lower(), "message": exc.details()}
    if "retry-after" in trailers:
        body["retry_after"] = float(trailers["retry-after"])
    return ServiceError(status, body)


class GrpcClient:
    def __init__(self, target: str, token: str | None = None, *, timeout: float = 10.0) -> None:
        """`target`: host:port of `framegraph serve --grpc-port`."""
        self.target = target.removeprefix("grpc://")
        self.timeout = timeout
        self.metadata = (("authorization", f"Bearer {token}"),) if token else ()
        self.channel = grpc.aio.insecure_channel(
            self.target,
            options=[
                ("grpc.max_send_message_length", MAX_MESSAGE),
                ("grpc.max_receive_message_length", MAX_MESSAGE),
            ],
        )
        self.stub = pb_grpc.FramegraphStub(self.channel)

    async def __aenter__(self) -> GrpcClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self.channel.close()

    async def features(self, show_all: bool = False) -> list[dict[str, Any]]:
        reply = await self._unary(self.stub.ListFeatures, pb.ListFeaturesRequest(all=show_all))
        return orjson.loads(reply.json)["features"]

    async def plan(self, features: Features = None) -> dict[str, Any]:
        reply = await self._unary(
            self.stub.ExplainPlan, pb.ExplainPlanRequest(features=_names(features))
        )
        return orjson.loads(reply.json)

    async def analyze(self, image: bytes, features: Features = None) -> dict[str, Any]:
        """The result for one encoded image (as POST /analyze answers it)."""
        request = pb.AnalyzeRequest(image=image, features=_names(features))
        reply = await self._unary(self.stub.Analyze, request)
        return orjson.loads(reply.json)

    async def _unary(self, method: Any, request: Any) -> Any:
        try:
            return await method(request, metadata=self.metadata, timeout=self.timeout)
        except grpc.aio.AioRpcError as exc:
            raise service_error(exc) from None

    async def events(
        self,
        features: Features = None,
        policy: str | None = None,
        queue: int | None = None,
        resume: Cursor | None = None,
        *,
        rate: float | None = None,
        every: int | None = None,
    ) -> AsyncIterator[Event]:
        """Subscribe (or resume, with a cursor that has a subscription); every event up to
        and including `end`."""
        async with self.connect() as call:
            if resume is not None and resume.subscriber is not None:
                ack = await call.resume(resume.subscriber, resume.last_frame)
            else:
                ack = await call.subscribe(features, policy, queue, rate=rate, every=every)
            yield Event.parse(orjson.dumps(ack))
            async for event in call:
                yield event

    def connect(self) -> GrpcSession:
        return GrpcSession(self)


class GrpcSession:
    """One Subscribe call: requests return their acknowledgement (or raise `ServiceError`);
    iterating yields the events."""

    def __init__(self, client: GrpcClient) -> None:
        self.client = client
        self.call: Any = None
        self._events: asyncio.Queue[Event | BaseException | None] = asyncio.Queue()
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> GrpcSession:
        self.call = self.client.stub.Subscribe(metadata=self.client.metadata)
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self.call is not None:
            self.call.cancel()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def subscribe(
        self,
        features: Features = None,
        policy: str | None = None,
        queue: int | None = None,
        *,
        rate: float | None = None,
        every: int | None = None,
    ) -> dict[str, Any]:
        body = pb.Subscribe(
            features=_names(features), policy=policy or "", queue=queue or 0, rate=rate, every=every
        )
        return await self.request(pb.SubscribeRequest(subscribe=body))

    async def resume(self, subscriber: int, last_frame: int | None) -> dict[str, Any]:
        """Take back subscription `subscriber`; `last_frame`: the last frame event received."""
        body = pb.Subscribe(subscriber=subscriber)
        if last_frame is not None:
            body.resume_from = last_frame
        return await self.request(pb.SubscribeRequest(subscribe=body))

    async def change(
        self, features: Features, *, rate: float | None = None, every: int | None = None
    ) -> dict[str, Any]:
        """Replace the features and the rate (every frame unless given)."""
        body = pb.Change(features=_names(features), rate=rate, every=every)
        return await self.request(pb.SubscribeRequest(change=body))

    async def unsubscribe(self) -> dict[str, Any]:
        return await self.request(pb.SubscribeRequest(unsubscribe=pb.Unsubscribe()))

    async def request(self, request: pb.SubscribeRequest) -> dict[str, Any]:
        request.id = str(next(self._ids))
        future = self._pending[request.id] = asyncio.get_running_loop().create_future()
        try:
            await self.call.write(request)
        except grpc.aio.AioRpcError as exc:
            raise service_error(exc) from None
        except asyncio.InvalidStateError:  # the call is over
            raise ConnectionError("the gRPC call has ended") from None
        try:
            reply = await future
        finally:
            self._pending.pop(request.id, None)
        return Session.outcome(reply)

    async def _read(self) -> None:
        end: BaseException | None = None
        try:
            async for message in self.call:
                event = Event.parse(message.json, message.type)
                future = self._pending.get(message.request_id)
                if message.request_id and future is not None and not future.done():
                    future.set_result(event.data)
                else:
                    await self._events.put(event)
        except grpc.aio.AioRpcError as exc:
            end = service_error(exc)
        finally:
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(end or ConnectionError("the gRPC call ended"))
            await self._events.put(end)

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event]:
        while (item := await self._events.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
            if item.type == "end":
                return
        raise ConnectionError("the gRPC call ended without an end event")
