"""GET /healthz, /readyz and /metrics: for orchestrators and Prometheus, never behind auth.

- /healthz: the process answers (liveness; restarting it would not help otherwise).
- /readyz: stdin is open and, when the live plan uses Triton models, Triton is reachable
  and those models are ready (readiness; 503 with the failing check otherwise). With no
  Triton model in the plan, Triton is not consulted: a CPU-only plan is ready without it.
- /metrics: the worker's own registry in Prometheus text format (OpenMetrics when the
  scraper asks for it).
"""

from __future__ import annotations

import time

from prometheus_client.exposition import choose_encoder
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from orchestrator.http.service import Service


def health_endpoints(service: Service) -> list[Route]:
    started = time.monotonic()
    registry = service.worker.telemetry.registry

    async def healthz(request: Request) -> Response:
        uptime = round(time.monotonic() - started, 3)
        return JSONResponse({"status": "ok", "uptime_seconds": uptime})

    async def readyz(request: Request) -> Response:
        ready, checks = await service.readiness()
        return JSONResponse({"ready": ready, "checks": checks}, 200 if ready else 503)

    async def metrics(request: Request) -> Response:
        encoder, content_type = choose_encoder(request.headers.get("accept", ""))
        return Response(encoder(registry), headers={"Content-Type": content_type})

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
