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

A client that disconnects is released at once; one whose socket accepts nothing for
`send_timeout` seconds is cut off. Server pings (uvicorn's) keep idle sockets alive.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import orjson
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketDisconnected

from orchestrator.delivery.subscriber import END_OF_STREAM, SHUTDOWN, Subscriber
from orchestrator.http.errors import ApiError, send_error
from orchestrator.http.params import check_rate, check_wants, subscription
from orchestrator.http.service import Service

log = logging.getLogger(__name__)
CLOSE_CODES = {END_OF_STREAM: 1000, SHUTDOWN: 1001}  # anything else (too slow): 1008
_GONE = (WebSocketDisconnect, WebSocketDisconnected, OSError)


class Session:
    """One socket: at most one subscription at a time, a pump that forwards its events,
    and a receive loop for the client's requests. Sends are serialised by a lock."""

    def __init__(self, service: Service, websocket: WebSocket) -> None:
        self.service = service
        self.ws = websocket
        self.sub: Subscriber | None = None
        self.pump: asyncio.Task[None] | None = None
        self.finished = asyncio.Event()
        self._lock = asyncio.Lock()

    async def run(self, sub: Subscriber | None) -> None:
        """Serve the socket until either side ends it; the subscription is released then."""
        self.sub = sub
        try:
            await self.ws.accept()
            if sub is not None:
                await self._send_json(self.service.ack("subscribed", sub), {})
                self.pump = asyncio.create_task(self._pump(sub))
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
            if self.sub is not None:
                self.service.release(self.sub)

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
                if self.sub is not None:
                    raise ApiError(409, "already_subscribed", "already subscribed; send 'change'")
                req = subscription(
                    service.planner,
                    service.settings,
                    request.get("features"),
                    request.get("policy"),
                    request.get("queue"),
                    request.get("rate"),
                    request.get("every"),
                )
                self.sub = service.subscribe(req)
                await self._send_json(service.ack("subscribed", self.sub), request)
                self.pump = asyncio.create_task(self._pump(self.sub))
            elif kind == "change":
                if self.sub is None:
                    raise ApiError(409, "not_subscribed", "not subscribed; send 'subscribe'")
                raw = request.get("features")
                if raw is None or raw == "" or raw == []:
                    raise ApiError(400, "no_features", "name the new features, or unsubscribe")
                rate = check_rate(request.get("rate"), request.get("every"))
                wants = check_wants(service.planner, raw, service.settings, rate, default=False)
                from_frame = service.hub.next_seq
                service.change(self.sub, wants, rate)
                await self._send_json(service.ack("changed", self.sub, from_frame), request)
            elif kind == "unsubscribe":
                if self.sub is None:
                    raise ApiError(409, "not_subscribed", "not subscribed")
                sub, self.sub = self.sub, None
                await self._stop_pump()
                service.release(sub, "unsubscribed by the client")
                sub.discard()
                await self._send_json({"type": "unsubscribed", "subscriber": sub.id}, request)
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
    async def _pump(self, sub: Subscriber) -> None:
        """Forward the subscription's events; when the server ends it, say why and close."""
        try:
            while (msg := await sub.get()) is not None:
                await self._send(msg.data.decode())
            await self._send(sub.end_event().decode())
            code = CLOSE_CODES.get(sub.close_code or "", 1008)
            async with self._lock:
                await self.ws.close(code, (sub.closed or "")[:120])
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
        sub = None
        try:
            release_slot = service.connect()
            try:
                if q.getlist("features"):  # subscribe on connect: refuse before the handshake
                    sub = service.subscribe(
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
            await Session(service, websocket).run(sub)
        finally:
            release_slot()

    return WebSocketRoute("/ws", ws)
