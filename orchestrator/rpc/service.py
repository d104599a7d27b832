"""The framegraph.v1.Framegraph servicer: catalog, plans, subscriptions, one-shot analysis.

Each method is the HTTP endpoint of the same name over the same `Service`: ListFeatures is
GET /features, ExplainPlan is GET /plan, Subscribe is the WebSocket session, Analyze is
POST /analyze. Where a result's shape is open (feature values, plans), the message carries
the same JSON the HTTP API answers, beside typed fields for what is fixed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TypeAlias

import grpc
import orjson

from orchestrator.decode.base import DecodeError
from orchestrator.delivery.events import dumps
from orchestrator.engine.oneshot import AnalysisError
from orchestrator.http.catalog import catalog_body, plan_body
from orchestrator.http.errors import ApiError
from orchestrator.http.params import check_features, split_names
from orchestrator.http.service import Service
from orchestrator.rpc.errors import abort, as_api_error, utf8
from orchestrator.rpc.subscribe import SubscribeCall
from orchestrator.rpc.v1 import framegraph_pb2 as pb
from orchestrator.rpc.v1 import framegraph_pb2_grpc as pb_grpc

Context: TypeAlias = grpc.aio.ServicerContext


class FramegraphServicer(pb_grpc.FramegraphServicer):
    def __init__(self, service: Service) -> None:
        self.service = service

    async def ListFeatures(
        self, request: pb.ListFeaturesRequest, context: Context
    ) -> pb.ListFeaturesResponse:
        body = catalog_body(self.service, request.all)
        fields = {f.name for f in pb.Feature.DESCRIPTOR.fields}
        features = [
            pb.Feature(**{k: v for k, v in e.items() if k in fields}) for e in body["features"]
        ]
        return pb.ListFeaturesResponse(
            features=features, default_features=body["default"], json=utf8(orjson.dumps(body))
        )

    async def ExplainPlan(self, request: pb.ExplainPlanRequest, context: Context) -> pb.Plan:
        try:
            body = plan_body(self.service, split_names(list(request.features)))
        except ApiError as err:
            await abort(context, err)
        return pb.Plan(
            requested=body["requested"],
            order=body["order"],
            prerequisites=body["prerequisites"],
            skipped=body["skipped"],
            models=body["models"],
            max_window=body["max_window"],
            live=body.get("live", False),
            subscribers=body.get("subscribers", 0),
            json=utf8(orjson.dumps(body)),
        )

    async def Subscribe(
        self, request_iterator: AsyncIterator[pb.SubscribeRequest], context: Context
    ) -> None:
        await SubscribeCall(self.service, context).run(request_iterator)

    async def Analyze(self, request: pb.AnalyzeRequest, context: Context) -> pb.AnalyzeResponse:
        service = self.service
        try:
            names = check_features(
                service.planner, split_names(list(request.features)), service.settings
            )
            result = await service.analyzer.analyze(request.image, names)
        except (ApiError, AnalysisError, DecodeError) as exc:
            await abort(context, as_api_error(exc))
        image = result["image"]
        return pb.AnalyzeResponse(
            json=utf8(dumps(result)),
            latency_ms=result["latency_ms"],
            width=image["width"],
            height=image["height"],
            features=list(result["features"]),
            errors=result["errors"],
        )
