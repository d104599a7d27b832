"""The gRPC server of `framegraph serve`: grpc.aio on the worker's event loop, beside HTTP.

    grpc_server = GrpcServer(service, host="127.0.0.1", port=50051)
    await grpc_server.start()    # listening (port 0: any free port, see .port)
    ...                          # the HTTP Runner runs the stream and ends subscriptions
    await grpc_server.stop()

It serves framegraph.v1.Framegraph, the standard health service and server reflection.
Health: the overall service ("") is SERVING while the process serves (liveness);
"framegraph.v1.Framegraph" follows readiness (/readyz: stdin open, Triton ready for the
live plan), refreshed every `HEALTH_EVERY` seconds. Limits are the HTTP API's: Subscribe
calls count against `max_connections`, subscriptions against `max_subscribers`; messages
are bounded (an image for Analyze, `max_message_bytes` for Subscribe requests); keepalive
pings every `heartbeat` seconds find dead peers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from orchestrator.http.service import Service
from orchestrator.rpc.auth import BearerInterceptor
from orchestrator.rpc.service import FramegraphServicer
from orchestrator.rpc.v1 import framegraph_pb2 as pb
from orchestrator.rpc.v1 import framegraph_pb2_grpc as pb_grpc

log = logging.getLogger(__name__)
SERVICE_NAME = pb.DESCRIPTOR.services_by_name["Framegraph"].full_name
HEALTH_EVERY = 2.0
_SERVING = health_pb2.HealthCheckResponse.SERVING
_NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


class GrpcServer:
    def __init__(self, service: Service, *, host: str = "127.0.0.1", port: int = 50051) -> None:
        self.service = service
        self.address = f"{host}:{port}"
        settings = service.settings
        heartbeat_ms = int(settings.heartbeat * 1000)
        options = [
            # an image for Analyze (its bytes, plus the message around them)
            ("grpc.max_receive_message_length", settings.max_image_bytes + 64 * 1024),
            ("grpc.keepalive_time_ms", heartbeat_ms),
            ("grpc.keepalive_timeout_ms", heartbeat_ms),
            ("grpc.keepalive_permit_without_calls", 1),
            ("grpc.http2.max_pings_without_data", 0),
            ("grpc.http2.min_ping_interval_without_data_ms", 5000),
            ("grpc.so_reuseport", 0),
        ]
        # Calls beyond every limit together are refused by grpc itself (RESOURCE_EXHAUSTED).
        most = settings.max_connections + settings.max_analyses + 64
        self.server = grpc.aio.server(
            interceptors=[BearerInterceptor(settings.token)],
            options=options,
            maximum_concurrent_rpcs=most,
        )
        pb_grpc.add_FramegraphServicer_to_server(FramegraphServicer(service), self.server)
        self.health = health.aio.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        names = (SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME)
        reflection.enable_server_reflection(names, self.server)
        self.port = port
        self._watch: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Listen (raising if the address cannot be bound) and start reporting health."""
        try:
            self.port = self.server.add_insecure_port(self.address)
        except RuntimeError as exc:
            raise OSError(f"cannot listen on {self.address} (gRPC): {exc}") from None
        await self.server.start()
        await self.health.set("", _SERVING)
        await self.refresh()
        self._watch = asyncio.create_task(self._watch_readiness())

    async def refresh(self) -> None:
        ready, _ = await self.service.readiness()
        await self.health.set(SERVICE_NAME, _SERVING if ready else _NOT_SERVING)

    async def _watch_readiness(self) -> None:
        while True:
            await asyncio.sleep(HEALTH_EVERY)
            try:
                await self.refresh()
            except Exception:  # a probe reports; it never stops the server
                log.exception("gRPC health refresh failed")

    async def stop(self, grace: float = 5.0) -> None:
        """NOT_SERVING, then stop: calls in progress get `grace` seconds to finish."""
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)
