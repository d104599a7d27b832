"""The bearer token on gRPC: metadata `authorization: Bearer <token>`, as on HTTP.

Every method of framegraph.v1 needs it; health checks and reflection stay open, like
/healthz and /readyz (Kubernetes' gRPC probes send no metadata, and reflection describes
only the public .proto). The comparison takes constant time.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

import grpc

PROTECTED_PREFIX = "/framegraph.v1."
MESSAGE = "missing or wrong token: send metadata 'authorization: Bearer <token>'"


class BearerInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, token: str | None) -> None:
        self.expected = f"Bearer {token}".encode() if token else None

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        if (
            self.expected is None
            or handler is None
            or not details.method.startswith(PROTECTED_PREFIX)
            or self._authorized(details)
        ):
            return handler
        return _refusal(handler)

    def _authorized(self, details: grpc.HandlerCallDetails) -> bool:
        assert self.expected is not None
        given = b""
        for key, value in details.invocation_metadata or ():
            if key == "authorization":
                given = value.encode() if isinstance(value, str) else value
                break
        return hmac.compare_digest(given, self.expected)


def _refusal(handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
    """A handler of the same shape as `handler` that ends the call UNAUTHENTICATED."""
    trailers = (("framegraph-error", "unauthorized"),)

    async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, MESSAGE, trailers)

    async def streaming(request: Any, context: grpc.aio.ServicerContext) -> Any:
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, MESSAGE, trailers)
        yield  # an async generator, as stream handlers are

    shape = (handler.request_streaming, handler.response_streaming)
    make = {
        (False, False): grpc.unary_unary_rpc_method_handler,
        (False, True): grpc.unary_stream_rpc_method_handler,
        (True, False): grpc.stream_unary_rpc_method_handler,
        (True, True): grpc.stream_stream_rpc_method_handler,
    }[shape]
    return make(
        streaming if handler.response_streaming else unary,
        request_deserializer=handler.request_deserializer,
        response_serializer=handler.response_serializer,
    )
