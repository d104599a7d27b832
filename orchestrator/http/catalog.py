"""GET /features and GET /plan: what is on offer, and what a request would cost.

A catalog entry is exactly what `framegraph features --json` prints (`Feature.describe`):
needs, window, where it runs, and the JSON shape of its result as clients receive it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from orchestrator.http.params import check_features, split_names
from orchestrator.http.service import Service


def features_endpoint(service: Service) -> Route:
    entries = {
        f.name: f.describe() | {"public": f.public}
        for f in sorted(service.planner.catalog, key=lambda f: f.name)
    }

    async def features(request: Request) -> Response:
        show_all = request.query_params.get("all", "") in ("1", "true", "yes")
        listed = [e for e in entries.values() if e["public"] or show_all]
        return JSONResponse(
            {
                "features": listed,
                "default": list(service.settings.default_features),
            }
        )

    return Route("/features", features, methods=["GET"])


def plan_endpoint(service: Service) -> Route:
    async def plan(request: Request) -> Response:
        """The plan for `?features=`, as `framegraph plan --json`; without it, the live plan
        (the union of current subscriptions), who is subscribed, and who shares each node."""
        names = split_names(request.query_params.getlist("features"))
        if not names:
            return JSONResponse(service.live_plan())
        requested = check_features(service.planner, names, service.settings)
        return JSONResponse(service.planner.plan(requested).to_json())

    return Route("/plan", plan, methods=["GET"])
