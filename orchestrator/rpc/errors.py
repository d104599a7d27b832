"""The API's errors as gRPC statuses: one mapping for every method.

A refused call ends with the status that matches the HTTP one, the sentence as details and
the stable code in the trailing metadata `framegraph-error` (the same codes as the HTTP
API's `error` field); `retry-after` (seconds) comes with RESOURCE_EXHAUSTED from a limit.
"""

from __future__ import annotations

from typing import NoReturn, cast

import grpc

from orchestrator.decode.base import DecodeError
from orchestrator.engine.oneshot import AnalysisError
from orchestrator.http.analyze import analysis_error
from orchestrator.http.errors import ApiError

ERROR_KEY = "framegraph-error"
STATUS = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    401: grpc.StatusCode.UNAUTHENTICATED,
    404: grpc.StatusCode.NOT_FOUND,
    409: grpc.StatusCode.FAILED_PRECONDITION,
    410: grpc.StatusCode.FAILED_PRECONDITION,
    413: grpc.StatusCode.INVALID_ARGUMENT,
    414: grpc.StatusCode.INVALID_ARGUMENT,
    503: grpc.StatusCode.RESOURCE_EXHAUSTED,
}


def status_of(err: ApiError) -> grpc.StatusCode:
    return STATUS.get(err.status, grpc.StatusCode.UNKNOWN)


def trailers(err: ApiError) -> tuple[tuple[str, str], ...]:
    out = [(ERROR_KEY, err.code)]
    if "Retry-After" in err.headers:
        out.append(("retry-after", err.headers["Retry-After"]))
    return tuple(out)


async def abort(context: grpc.aio.ServicerContext, err: ApiError) -> NoReturn:
    """End the call with `err` (raises, as `context.abort` does)."""
    await context.abort(status_of(err), err.message, trailers(err))
    raise AssertionError("unreachable")  # context.abort raises


def as_api_error(exc: AnalysisError | DecodeError | ApiError) -> ApiError:
    return exc if isinstance(exc, ApiError) else analysis_error(exc)


def utf8(data: bytes) -> str:
    """JSON bytes for a proto `string` field as they are: protobuf's runtime takes UTF-8
    bytes there, so an event encoded once is not decoded and re-encoded per client."""
    return cast(str, data)
