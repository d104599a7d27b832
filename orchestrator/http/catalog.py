"""GET /features and GET /plan: what is on offer, and what a request would cost.

A catalog entry is exactly what `framegraph features --json` prints (`Feature.describe`):
needs, window, where it runs, and the JSON shape of its result as clients receive it.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from orchestrator.http.params import check_features, split_names
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


def plan_body(service: Service, names: list[str]) -> dict[str, Any]:
    """GET /plan's answer for these names; without names, the live plan, its subscribers and
    who shares each node (gRPC ExplainPlan carries the same)."""
    if not names:
        return service.live_plan()
    requested = check_features(service.planner, names, service.settings)
    return service.planner.plan(requested).to_json()


def features_endpoint(service: Service) -> Route:
    async def features(request: Request) -> Response:
        show_all = request.query_params.get("all", "") in ("1", "true", "yes")
        return JSONResponse(catalog_body(service, show_all))

    return Route("/features", features, methods=["GET"])


def plan_endpoint(service: Service) -> Route:
    async def plan(request: Request) -> Response:
        """The plan for `?features=`, as `framegraph plan --json`; without it, the live plan
        (the union of current subscriptions), who is subscribed, and who shares each node."""
        names = split_names(request.query_params.getlist("features"))
        return JSONResponse(plan_body(service, names))

    return Route("/plan", plan, methods=["GET"])
