"""GET /features and GET /plan: what is on offer, and what a request would cost.

A catalog entry is exactly what `framegraph features --json` prints (`Feature.describe`):
needs, window, where it runs, its parameters, and the JSON shape of its result as clients
receive it. A plan says on which frames each node runs (`runs`); the live plan adds how
many subscriptions share each node and what it costs.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from orchestrator.graph.request import explain
from orchestrator.http.params import check_rate, check_wants
from orchestrator.http.service import Service


def catalog_body(service: Service, show_all: bool = False) -> dict[str, Any]:
    """GET /features' answer (gRPC ListFeatures carries the same)."""
    entries = [
        f.describe() | {"public": f.public}
        for f in sorted(service.planner.catalog, key=lambda f: f.name)
    ]
    return {
        "features": [e for e in entries if e["public"] or show_all],
        "default": list(service.settings.default_features),
    }


def plan_body(
    service: Service, raw: list[str], rate: str | None = None, every: str | None = None
) -> dict[str, Any]:
    """GET /plan's answer for these requested features (`persons(min_score=0.3),motion`, at
    `rate`/`every`); without any, the live plan (gRPC ExplainPlan carries the same)."""
    if not raw:
        return service.live_plan()
    frames = check_rate(rate, every)
    wants = check_wants(service.planner, raw, service.settings, frames, default=False)
    plan, runs = explain(service.planner, wants)
    return plan.to_json() | {"runs": runs, "wants": [w.to_json() for w in wants]}


def features_endpoint(service: Service) -> Route:
    async def features(request: Request) -> Response:
        show_all = request.query_params.get("all", "") in ("1", "true", "yes")
        return JSONResponse(catalog_body(service, show_all))

    return Route("/features", features, methods=["GET"])


def plan_endpoint(service: Service) -> Route:
    async def plan(request: Request) -> Response:
        """The plan for `?features=` (and `rate`/`every`), as `framegraph plan --json`;
        without it, the live plan: the union of current subscriptions, who shares each
        node, and what each costs."""
        q = request.query_params
        raw = [v for v in q.getlist("features") if v.strip()]
        return JSONResponse(plan_body(service, raw, q.get("rate"), q.get("every")))

    return Route("/plan", plan, methods=["GET"])
