"""GET /subscriptions: who is subscribed, to what, at which rate, and what each costs.

Each entry: the subscription's features (with parameters), its wants (feature, rate), its
policy and queue, its share of the compute (`cost`: worker and Triton seconds in total and
per second over the last seconds; each frame's node costs are divided equally among the
subscriptions that needed the node there) and its events (delivered, dropped, queued).
`totals` sums the nodes' costs and the subscriptions' shares (current and departed): the
two agree, up to Triton time not yet read from its statistics (`pending_images`).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from orchestrator.http.service import Service


def subscriptions_endpoint(service: Service) -> Route:
    async def subscriptions(request: Request) -> Response:
        return JSONResponse(
            {
                "subscriptions": [service.describe(sub) for sub in service.hub],
                "totals": service.worker.ledger.totals(),
            }
        )

    return Route("/subscriptions", subscriptions, methods=["GET"])
