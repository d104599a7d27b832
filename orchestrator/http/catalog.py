"""GET /features and GET /plan: what is on offer, and what a request would cost.

The catalog entry of a feature adds a result schema summary read from its declaration
(the function's return type and that dataclass's fields), so the listing can never
disagree with the code.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from orchestrator.graph.feature import Feature
from orchestrator.http.params import check_features, split_names
from orchestrator.http.service import Service


def result_schema(feat: Feature) -> dict[str, Any]:
    """{"type": name, "fields": {field: type}} for a dataclass result; windowed ones add
    `warming_up`, which delivery sets until the window is full."""
    schema: dict[str, Any] = {"type": feat.result or "any"}
    try:
        ret = typing.get_type_hints(feat.fn).get("return")
    except Exception:  # an annotation that does not resolve is not worth failing a listing
        ret = None
    if ret is not None and dataclasses.is_dataclass(ret):
        schema["fields"] = {
            f.name: f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
            for f in dataclasses.fields(ret)
        }
    if feat.window.frames > 1:
        schema.setdefault("fields", {})["warming_up"] = "bool"
    return schema


def features_endpoint(service: Service) -> Route:
    entries = {
        f.name: f.describe() | {"public": f.public, "schema": result_schema(f)}
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
        (the union of current subscriptions) and who is subscribed."""
        names = split_names(request.query_params.getlist("features"))
        if not names:
            live = service.plan_now().to_json()
            return JSONResponse(live | {"live": True, "subscribers": len(service.hub)})
        requested = check_features(service.planner, names, service.settings)
        return JSONResponse(service.planner.plan(requested).to_json())

    return Route("/plan", plan, methods=["GET"])
