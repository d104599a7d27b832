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
1001 shutdown, 1008 too slow). `/ws?features=a,b&policy=...` subscribes on connect. What
a request does, and how a session ends, is `http.duplex`'s (shared with gRPC Subscribe).

A client whose socket is lost (or cut off after accepting nothing for `send_timeout`
seconds) without unsubscribing keeps its subscription for the grace period; it resumes with
`{"type": "subscribe", "subscriber": 7, "resume_from": 120}` (or
`/ws?subscriber=7&resume_from=120`), `resume_from` being the last frame it received
(`orchestrator.delivery.resume`); after the end of the stream too, while its subscription
waits for it: it gets its last events and `end`, in either form. Server pings (uvicorn's)
keep idle sockets alive.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from starlette.routing import WebSocketRoute
from starlette.websockets import (
    WebSocket,
    WebSocketDisconnect,
    WebSocketDisconnected,
    WebSocketState,
)

from orchestrator.delivery.resume import Lease
from orchestrator.delivery.subscriber import END_OF_STREAM, SHUTDOWN, TAKEN_OVER, Message
from orchestrator.http.duplex import NO_ID, Duplex, Request
from orchestrator.http.errors import ApiError, send_error
from orchestrator.http.params import resume_point, subscription
from orchestrator.http.service import Service

log = logging.getLogger(__name__)
# Anything else (too slow): 1008. Taken over: the subscription goes on elsewhere.
CLOSE_CODES = {END_OF_STREAM: 1000, SHUTDOWN: 1001, TAKEN_OVER: 1000}
_GONE = (WebSocketDisconnect, WebSocketDisconnected, OSError)
BAD_JSON = "messages must be JSON objects"


class Session(Duplex[str]):
    """One socket: at most one subscription at a time (`Duplex`), its events and replies
    as JSON text messages; the socket closes after `end`."""

    TRANSPORT = "WebSocket"
    GONE = _GONE

    def __init__(self, service: Service, websocket: WebSocket) -> None:
        super().__init__(service)
        self.ws = websocket

    async def run(self, lease: Lease | None) -> None:
        """Serve the socket until either side ends it; the subscription is let go then."""
        try:
            await self.ws.accept()
            if lease is not None:
                await self.start(lease)
            failure = await self.serve(self._receive_loop(), half_close=False)
            if failure is not None and not isinstance(failure, _GONE):
                log.error("WebSocket session failed", exc_info=failure)
            if self.lease is None and self.service.closing.is_set() and self._open():
                await self.ws.close(1001, "server shutting down")  # nothing left to say
        except _GONE:
            pass

    def _open(self) -> bool:
        connected = WebSocketState.CONNECTED
        return self.ws.client_state == connected and self.ws.application_state == connected

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
                request = None
            if not isinstance(request, dict):
                await self.reject(Request(None), ApiError(400, "bad_json", BAD_JSON))
                continue
            fields = (
                "features", "policy", "queue", "rate", "every", "subscriber", "resume_from", "id"
            )
            await self.handle(
                Request(request.get("type"), **{k: request[k] for k in fields if k in request})
            )

    # Duplex: JSON text messages ------------------------------------------------------------
    def encode_event(self, msg: Message, sub_id: int) -> str:
        return msg.data.decode()

    def encode_reply(self, body: dict[str, Any], request: Request | None) -> str:
        if request is not None and request.id is not NO_ID:
            body = {**body, "id": request.id}
        return orjson.dumps(body).decode()

    def encode_end(self, lease: Lease) -> str:
        return lease.end_event().decode()

    async def write(self, item: str) -> None:
        await self.ws.send_text(item)

    async def after_end(self, lease: Lease) -> None:
        sub = lease.sub
        code = sub.close_code if lease.current else TAKEN_OVER
        async with self._lock:
            await self.ws.close(CLOSE_CODES.get(code or "", 1008), (sub.closed or "")[:120])


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
