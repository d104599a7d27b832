"""GET /features and GET /plan: what is on offer, and what a request would cost.

A catalog entry is exactly what `framegraph features --json` prints (`Feature.describe`):
needs, window, where it runs, its parameters, and the JSON shape of its result as clients
receive it. A plan says on which frames each node runs (`runs`); the live plan adds how
many subscriptions share each node and what it costs.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from orchestrator.graph.request import explain
from orchestrator.http.params import check_rate, check_wants
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
        """The plan for `?features=` (and `rate`/`every`), as `framegraph plan --json`;
        without it, the live plan: the union of current subscriptions, with costs."""
        q = request.query_params
        raw = [v for v in q.getlist("features") if v.strip()]
        if not raw:
            return JSONResponse(service.live_plan())
        rate = check_rate(q.get("rate"), q.get("every"))
        wants = check_wants(service.planner, raw, service.settings, rate, default=False)
        plan, runs = explain(service.planner, wants)
        body = plan.to_json() | {"runs": runs, "wants": [w.to_json() for w in wants]}
        return JSONResponse(body)

    return Route("/plan", plan, methods=["GET"])
