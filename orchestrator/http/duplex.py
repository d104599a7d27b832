"""One subscription driven over a two-way connection: what the WebSocket session and the
gRPC Subscribe call share.

Both transports carry the same requests (`subscribe`, or resume; `change`; `unsubscribe`),
hold at most one subscription at a time, forward its events from a pump task, and end the
same ways; only the encoding differs (JSON text messages, protobuf `Event`s). So the
behaviour lives here once, and a transport subclasses `Duplex` with how to encode an event,
a reply and the `end`, and how to write one (`ws.Session`, `rpc.subscribe.SubscribeCall`).
The events themselves are the hub's bytes, encoded once per subset whatever the transport.

How a connection ends (`serve`):
- the pump delivered `end` (end of stream, cut off, taken over by a resume elsewhere);
- the client went away, or (gRPC, `half_close`) half-closed while not subscribed; a
  half-close while subscribed lets the events run on until `end`;
- the server is stopping (`service.closing`). A connection with a subscription (or one whose
  subscribe request is being answered) gets `send_timeout` seconds for its pump to send
  `end`. One without may be a client that lost its connection near the end of the stream
  and comes back to resume with a message: while subscriptions are detached it gets the
  grace period to send it, and then its buffered events and `end`, as the URL form of a
  resume would.
A subscription still held when the connection goes is detached for the grace period
(`delivery.resume`), unless its `end` was delivered or the client unsubscribed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from orchestrator.delivery.resume import Lease
from orchestrator.delivery.subscriber import Message
from orchestrator.http.errors import ApiError
from orchestrator.http.params import check_rate, check_wants, resume_point, subscription
from orchestrator.http.service import Service

log = logging.getLogger(__name__)
T = TypeVar("T")  # what the transport writes: a text message, a protobuf Event
NO_ID: Any = object()  # a request without an id (None is an id a JSON client may send)


@dataclass(frozen=True)
class Request:
    """A client's request, decoded from its transport; values are raw, checked here."""

    kind: Any  # "subscribe", "change", "unsubscribe"; anything else is refused
    features: Any = None  # "a,b(x=1)", or a list of such strings or {"name", "params", ...}
    policy: Any = None
    queue: Any = None
    rate: Any = None  # the subscription's frames: per second, or
    every: Any = None  # every k-th frame (each feature may also name its own)
    subscriber: Any = None  # subscribe: take back this subscription (a resume)
    resume_from: Any = None  # ... whose client received frames up to this one
    id: Any = NO_ID  # echoed in the reply


class Duplex(ABC, Generic[T]):
    """One connection's subscription: requests, the pump, and letting go (see module)."""

    TRANSPORT = "two-way"  # for log lines
    # What a send to a vanished peer raises: the pump stops quietly on these.
    GONE: tuple[type[BaseException], ...] = (OSError,)

    def __init__(self, service: Service) -> None:
        self.service = service
        self.lease: Lease | None = None
        self.pump: asyncio.Task[None] | None = None
        self.ended = False  # the subscription's `end` event was sent
        self.cut_off = False  # the client accepted nothing for `send_timeout` seconds
        self.finished = asyncio.Event()  # the pump stopped: `end` sent, or the peer is gone
        self._lock = asyncio.Lock()

    # What a transport provides -----------------------------------------------------------
    @abstractmethod
    def encode_event(self, msg: Message, sub_id: int) -> T:
        """A frame event (or `gap`, `dropped` of a slow client) of subscription `sub_id`."""

    @abstractmethod
    def encode_reply(self, body: dict[str, Any], request: Request | None) -> T:
        """An acknowledgement or a `rejected` (`body`), for `request` (None: on connect)."""

    @abstractmethod
    def encode_end(self, lease: Lease) -> T:
        """The subscription's last event."""

    @abstractmethod
    async def write(self, item: T) -> None:
        """Send one item on the connection."""

    async def after_end(self, lease: Lease) -> None:
        """Once `end` is sent (a WebSocket closes itself here)."""

    # Requests ----------------------------------------------------------------------------
    async def start(self, lease: Lease, request: Request | None = None) -> None:
        """Hold `lease`: acknowledge it, then forward its events."""
        self.lease, self.ended = lease, False
        await self.send(self.encode_reply(self.service.ack_lease(lease), request))
        self.pump = asyncio.create_task(self._pump(lease))

    async def handle(self, request: Request) -> None:
        """Do what `request` asks and acknowledge it; a refusal is a `rejected` reply and
        changes nothing (the connection stays open)."""
        service = self.service
        try:
            if request.kind == "subscribe":
                if self.lease is not None:
                    raise ApiError(409, "already_subscribed", "already subscribed; send 'change'")
                resume = resume_point(request.subscriber, request.resume_from)
                if resume is not None:
                    lease = service.resume(*resume)
                else:
                    lease = service.open(
                        subscription(
                            service.planner,
                            service.settings,
                            request.features,
                            request.policy,
                            request.queue,
                            request.rate,
                            request.every,
                        )
                    )
                await self.start(lease, request)
            elif request.kind == "change":
                if self.lease is None:
                    raise ApiError(409, "not_subscribed", "not subscribed; send 'subscribe'")
                raw = request.features
                if raw is None or raw == "" or raw == []:
                    raise ApiError(400, "no_features", "name the new features, or unsubscribe")
                rate = check_rate(request.rate, request.every)
                wants = check_wants(service.planner, raw, service.settings, rate, default=False)
                from_frame = service.hub.next_seq
                service.change(self.lease.sub, wants, rate)
                ack = service.ack("changed", self.lease.sub, from_frame)
                await self.send(self.encode_reply(ack, request))
            elif request.kind == "unsubscribe":
                if self.lease is None:
                    raise ApiError(409, "not_subscribed", "not subscribed")
                lease, self.lease = self.lease, None
                await self._stop_pump()
                service.leave(lease, unsubscribed=True)
                body = {"type": "unsubscribed", "subscriber": lease.sub.id}
                await self.send(self.encode_reply(body, request))
            else:
                raise ApiError(
                    400, "unknown_type", "type must be 'subscribe', 'change' or 'unsubscribe'"
                )
        except ApiError as err:
            await self.reject(request, err)

    async def reject(self, request: Request, err: ApiError) -> None:
        body = {"type": "rejected", "request": request.kind or None, "status": err.status}
        await self.send(self.encode_reply(body | err.body(), request))

    # The connection's life ---------------------------------------------------------------
    async def serve(
        self, reading: Coroutine[Any, Any, None], *, half_close: bool
    ) -> BaseException | None:
        """Read requests (`reading`) and forward events until the connection is over (see
        the module docstring); then let the subscription go. The exception `reading`
        ended with, if any: the transport decides what it means."""
        service = self.service
        reader = asyncio.create_task(reading)
        finishing = asyncio.create_task(self.finished.wait())
        closing = asyncio.create_task(service.closing.wait())
        tasks = (reader, finishing, closing)
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            if done == {closing} and self.lease is None and service.resumer.detached:
                # The stream is over, but this may be a client coming back for its last events.
                done, _ = await asyncio.wait(
                    {reader, finishing},
                    timeout=service.resumer.grace,
                    return_when=asyncio.FIRST_COMPLETED,
                )
            held = self.lease is not None
            if half_close and held and reader in done and _failure(reader) is None:
                await finishing  # half-closed while subscribed: events go on until `end`
            elif closing.done() and held and not finishing.done():
                waits = {finishing} if half_close else {finishing, reader}
                await asyncio.wait(
                    waits,
                    timeout=service.settings.send_timeout,
                    return_when=asyncio.FIRST_COMPLETED,
                )
        finally:
            for task in tasks:
                task.cancel()
            # nothing may still be writing when the transport closes the connection
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._stop_pump()
            if self.lease is not None:
                service.leave(self.lease, finished=self.ended)
        return _failure(reader)

    # Events ------------------------------------------------------------------------------
    async def _pump(self, lease: Lease) -> None:
        """Forward the subscription's events, then its `end`."""
        sub_id = lease.sub.id
        try:
            while (msg := await lease.get()) is not None:
                await self.send(self.encode_event(msg, sub_id))
            await self.send(self.encode_end(lease))
            self.ended = True
            await self.after_end(lease)
        except asyncio.TimeoutError:
            log.warning(
                "cut off a %s client that accepted nothing for %s s",
                self.TRANSPORT,
                self.service.settings.send_timeout,
            )
            self.cut_off = True
        except self.GONE:  # the peer went away: `serve` detaches the subscription
            pass
        self.finished.set()

    async def _stop_pump(self) -> None:
        if self.pump is not None:
            self.pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, *self.GONE):
                await self.pump
            self.pump = None

    async def send(self, item: T) -> None:
        """Write `item`, one writer at a time, within `send_timeout` (TimeoutError)."""
        async with self._lock:
            await asyncio.wait_for(self.write(item), self.service.settings.send_timeout)


def _failure(task: asyncio.Task[None]) -> BaseException | None:
    if not task.done() or task.cancelled():
        return None
    return task.exception()
