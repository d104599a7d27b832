"""WS /ws: the same events as /events, on a socket where the client can change its mind.

Client → server, one JSON object per text message (`id` is optional and echoed back):

    {"type": "subscribe", "features": ["motion"], "policy": "latest", "queue": 64, "id": 1}
    {"type": "change", "features": "motion,image.quality", "id": 2}
    {"type": "change", "features": [{"name": "persons", "params": {"min_score": 0.3},
     "every": 3}], "rate": 2, "id": 3}
    {"type": "unsubscribe", "id": 4}

Features are strings (with parameters, `persons(min_score=0.3)`) or structured objects;
`rate` (per second) or `every` (k-th frame) sets the subscription's rate.

Server → client: `subscribed` / `changed` (with `from_frame`, the first frame delivered
with the new subset, and the new live plan), `unsubscribed`, `rejected` (a request that
was refused: `error`, `message`, and for unknown features the valid ones; the socket
stays open), then the frame events `result`, `error`, `dropped`, and `end` when the
subscription is ended by the server, after which the socket closes (1000 end of stream,
1001 shutdown, 1008 too slow). `/ws?features=a,b&policy=...` subscribes on connect.

A client whose socket is lost (or cut off after accepting nothing for `send_timeout`
seconds) without unsubscribing keeps its subscription for the grace period; it resumes with
`{"type": "subscribe", "subscriber": 7, "resume_from": 120}` (or
`/ws?subscriber=7&resume_from=120`), `resume_from` being the last frame it received
(`orchestrator.delivery.resume`). Server pings (uvicorn's) keep idle sockets alive.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import orjson
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketDisconnected

from orchestrator.delivery.resume import Lease
from orchestrator.delivery.subscriber import END_OF_STREAM, SHUTDOWN, TAKEN_OVER
from orchestrator.http.errors import ApiError, send_error
from orchestrator.http.params import check_rate, check_wants, resume_point, subscription
from orchestrator.http.service import Service

log = logging.getLogger(__name__)
# Anything else (too slow): 1008. Taken over: the subscription goes on elsewhere.
CLOSE_CODES = {END_OF_STREAM: 1000, SHUTDOWN: 1001, TAKEN_OVER: 1000}
_GONE = (WebSocketDisconnect, WebSocketDisconnected, OSError)


class Session:
    """One socket: at most one subscription at a time, a pump that forwards its events,
    and a receive loop for the client's requests. Sends are serialised by a lock."""

    def __init__(self, service: Service, websocket: WebSocket) -> None:
        self.service = service
        self.ws = websocket
        self.lease: Lease | None = None
        self.ended = False  # the subscription's `end` event was sent
        self.pump: asyncio.Task[None] | None = None
        self.finished = asyncio.Event()
        self._lock = asyncio.Lock()

    async def run(self, lease: Lease | None) -> None:
        """Serve the socket until either side ends it; the subscription is let go then."""
        self.lease = lease
        try:
            await self.ws.accept()
            if lease is not None:
                await self._send_json(self.service.ack_lease(lease), {})
                self.pump = asyncio.create_task(self._pump(lease))
            receiving = asyncio.create_task(self._receive_loop())
            ending = asyncio.create_task(self.finished.wait())
            closing = asyncio.create_task(self.service.closing.wait())
            tasks = (receiving, ending, closing)
            try:
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                if done == {closing}:  # the server is stopping
                    if self.pump is None:  # nothing left to say: say goodbye
                        async with self._lock:
                            await self.ws.close(1001, "server shutting down")
                    else:  # the pump sends `end`, then closes
                        await asyncio.wait(
                            {receiving, ending},
                            timeout=self.service.settings.send_timeout,
                            return_when=asyncio.FIRST_COMPLETED,
                        )
            finally:
                for task in tasks:
                    task.cancel()
                for result in await asyncio.gather(*tasks, return_exceptions=True):
                    if isinstance(result, Exception) and not isinstance(result, _GONE):
                        log.error("WebSocket session failed", exc_info=result)
        except _GONE:
            pass
        finally:
            await self._stop_pump()
            if self.lease is not None:
                self.service.leave(self.lease, finished=self.ended)

    # Client requests -------------------------------------------------------------------
    async def _receive_loop(self) -> None:
        limit = self.service.settings.max_message_bytes
        while True:
            message = await self.ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            raw = message.get("text") or message.get("bytes") or b""
            if len(raw) > limit:
                await self.ws.close(1009, f"message over {limit} bytes")
                return
            try:
                request = orjson.loads(raw)
            except orjson.JSONDecodeError:
                await self._reject({}, ApiError(400, "bad_json", "messages must be JSON objects"))
                continue
            if not isinstance(request, dict):
                await self._reject({}, ApiError(400, "bad_json", "messages must be JSON objects"))
                continue
            await self._request(request)

    async def _request(self, request: dict[str, Any]) -> None:
        kind = request.get("type")
        service = self.service
        try:
            if kind == "subscribe":
                if self.lease is not None:
                    raise ApiError(409, "already_subscribed", "already subscribed; send 'change'")
                resume = resume_point(request.get("subscriber"), request.get("resume_from"))
                if resume is not None:
                    self.lease = service.resume(*resume)
                else:
                    req = subscription(
                        service.planner,
                        service.settings,
                        request.get("features"),
                        request.get("policy"),
                        request.get("queue"),
                        request.get("rate"),
                        request.get("every"),
                    )
                    self.lease = service.open(req)
                self.ended = False
                await self._send_json(service.ack_lease(self.lease), request)
                self.pump = asyncio.create_task(self._pump(self.lease))
            elif kind == "change":
                if self.lease is None:
                    raise ApiError(409, "not_subscribed", "not subscribed; send 'subscribe'")
                raw = request.get("features")
                if raw is None or raw == "" or raw == []:
                    raise ApiError(400, "no_features", "name the new features, or unsubscribe")
                rate = check_rate(request.get("rate"), request.get("every"))
                wants = check_wants(service.planner, raw, service.settings, rate, default=False)
                from_frame = service.hub.next_seq
                service.change(self.lease.sub, wants, rate)
                await self._send_json(service.ack("changed", self.lease.sub, from_frame), request)
            elif kind == "unsubscribe":
                if self.lease is None:
                    raise ApiError(409, "not_subscribed", "not subscribed")
                lease, self.lease = self.lease, None
                await self._stop_pump()
                service.leave(lease, unsubscribed=True)
                await self._send_json({"type": "unsubscribed", "subscriber": lease.sub.id}, request)
            else:
                raise ApiError(
                    400, "unknown_type", "type must be 'subscribe', 'change' or 'unsubscribe'"
                )
        except ApiError as err:
            await self._reject(request, err)

    async def _reject(self, request: dict[str, Any], err: ApiError) -> None:
        body = {
            "type": "rejected",
            "request": request.get("type"),
            "status": err.status,
            **err.body(),
        }
        await self._send_json(body, request)

    # Events ------------------------------------------------------------------------------
    async def _pump(self, lease: Lease) -> None:
        """Forward the subscription's events; when the server ends it, say why and close."""
        try:
            while (msg := await lease.get()) is not None:
                await self._send(msg.data.decode())
            await self._send(lease.end_event().decode())
            self.ended = True
            sub = lease.sub
            code = sub.close_code if lease.current else TAKEN_OVER
            async with self._lock:
                await self.ws.close(CLOSE_CODES.get(code or "", 1008), (sub.closed or "")[:120])
        except asyncio.TimeoutError:
            log.warning(
                "cut off a WebSocket client that accepted nothing for %s s",
                self.service.settings.send_timeout,
            )
        except _GONE:
            pass
        self.finished.set()

    async def _stop_pump(self) -> None:
        if self.pump is not None:
            self.pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, *_GONE):
                await self.pump
            self.pump = None

    async def _send_json(self, body: dict[str, Any], request: dict[str, Any]) -> None:
        if "id" in request:
            body = {**body, "id": request["id"]}
        await self._send(orjson.dumps(body).decode())

    async def _send(self, text: str) -> None:
        async with self._lock:
            await asyncio.wait_for(self.ws.send_text(text), self.service.settings.send_timeout)


def ws_endpoint(service: Service) -> WebSocketRoute:
    async def ws(websocket: WebSocket) -> None:
        q = websocket.query_params
        lease = None
        try:
            resume = resume_point(q.get("subscriber"), q.get("resume_from"))
            release_slot = service.connect()
            try:  # subscribe (or resume) on connect: refuse before the handshake
                if resume is not None:
                    lease = service.resume(*resume)
                elif q.getlist("features"):
                    lease = service.open(
                        subscription(
                            service.planner,
                            service.settings,
                            [v for v in q.getlist("features") if v.strip()],
                            q.get("policy"),
                            q.get("queue"),
                            q.get("rate"),
                            q.get("every"),
                        )
                    )
            except ApiError:
                release_slot()
                raise
        except ApiError as err:  # a plain HTTP answer (400, 410, 503) instead of a socket
            await send_error(websocket.scope, websocket.receive, websocket.send, err)
            return
        try:
            await Session(service, websocket).run(lease)
        finally:
            release_slot()

    return WebSocketRoute("/ws", ws)
