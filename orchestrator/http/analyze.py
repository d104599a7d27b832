"""POST /analyze: one image, its features, one JSON answer.

    curl -s --data-binary @photo.jpg 'localhost:8080/analyze?features=persons,faces'
    curl -s -H 'Content-Type: application/json' \\
         -d '{"image": "<base64>", "features": ["persons"]}' localhost:8080/analyze

The body is the encoded image itself, or (with `Content-Type: application/json`) an object
with the image in base64 (standard or URL-safe) and optionally the features. The answer is
a `result` event without a frame number (`orchestrator.engine.oneshot`). A bad image is a 400
with the code a stdin line would get (`empty`, `not_base64`, `not_an_image`, `truncated`,
`corrupt`; `too_large`: 413); a feature that needs history is a 400 `needs_history` naming
every ordered feature of the request's closure; beyond the concurrency limit, 503 `busy`
with `Retry-After`.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from orchestrator.decode.base import DecodeError
from orchestrator.delivery.events import dumps
from orchestrator.engine.oneshot import AnalysisError
from orchestrator.http.errors import ApiError
from orchestrator.http.params import check_features, split_names
from orchestrator.http.service import Service

RETRY_AFTER_S = 1  # an analysis takes tens of milliseconds: a slot frees up soon


def analysis_error(exc: AnalysisError | DecodeError) -> ApiError:
    """The HTTP form of a refused call (the gRPC one maps the same codes)."""
    if isinstance(exc, DecodeError):
        return ApiError(413 if exc.code == "too_large" else 400, exc.code, exc.message)
    if exc.busy:
        err = ApiError(503, exc.code, exc.message, **exc.extra)
        err.headers["Retry-After"] = str(RETRY_AFTER_S)
        return err
    return ApiError(400, exc.code, exc.message, **exc.extra)


def analyze_endpoint(service: Service) -> Route:
    limit = service.settings.max_image_bytes

    async def analyze(request: Request) -> Response:
        is_json = request.headers.get("content-type", "").split(";")[0].strip().endswith("json")
        data = await _body(request, limit * 4 // 3 + 4096 if is_json else limit)
        names = split_names(request.query_params.getlist("features"))
        if is_json:
            data, more = _json_body(data)
            names += more
        features = check_features(service.planner, names, service.settings)
        try:
            result = await service.analyzer.analyze(data, features, base64=is_json)
        except (AnalysisError, DecodeError) as exc:
            raise analysis_error(exc) from None
        return Response(dumps(result), media_type="application/json")

    return Route("/analyze", analyze, methods=["POST"])


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) as soon as it exceeds `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too_large", f"image over {limit} bytes", limit=limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", f"image over {limit} bytes", limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _json_body(data: bytes) -> tuple[bytes, list[str]]:
    """(base64 image, feature names) from `{"image": "...", "features": ...}`."""
    try:
        body: Any = orjson.loads(data)
    except orjson.JSONDecodeError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("image", ""), str):
        raise ApiError(
            400, "bad_json", 'the body must be {"image": "<base64>", "features": [...]}'
        )
    return body.get("image", "").encode(), split_names(body.get("features"))



