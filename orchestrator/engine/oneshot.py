"""One-shot analysis: one image in, its features out, beside the stream and apart from it.

    analyzer = Analyzer(planner, executor.resources, telemetry, limit=4)
    result = await analyzer.analyze(jpeg_bytes, ["persons", "faces"])

The image goes through the same payload checks as a stdin line (same error codes), the same
planner and the same feature code; neural nodes call the same Triton session as the stream,
so their requests share the stream's dynamic batches. It runs on an `Executor` of its own,
with its own frame numbers, ring and lanes: a call never touches the stream's windows, tracks
or frame numbering. That is also why only features that need no history can be asked for:
a feature in the request's closure whose window is ordered (the last N frames, or state such
as a tracker) is refused, by name. Concurrent calls are bounded (`limit`); one more is
refused at once (busy), so that a burst of calls cannot queue without end behind the stream.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any

from orchestrator.decode.base import Decoded, DecodeError, Decoder
from orchestrator.decode.opencv import OpenCVDecoder
from orchestrator.decode.payload import DEFAULT_MAX_PIXELS, Payload, decode_base64, probe
from orchestrator.delivery.events import Outcome
from orchestrator.engine.executor import Executor
from orchestrator.engine.frame import Frame, FrameInfo
from orchestrator.graph.plan import Planner, UnknownFeatureError
from orchestrator.graph.request import Want
from orchestrator.telemetry import Telemetry

DEFAULT_MAX_IMAGE_BYTES = 16 * 1024 * 1024


class AnalysisError(Exception):
    """A call refused: `code` is stable (the payload codes of stdin lines, unknown_feature,
    needs_history, no_features, busy); `busy` means "try again later"."""

    def __init__(self, code: str, message: str, *, busy: bool = False, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.busy = busy
        self.extra = extra


class Analyzer:
    def __init__(
        self,
        planner: Planner,
        resources: Mapping[str, Any],
        telemetry: Telemetry,
        *,
        limit: int = 4,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        max_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
        decoder: Decoder | None = None,
    ) -> None:
        self.planner = planner
        self.telemetry = telemetry
        self.executor = Executor(planner.catalog, resources, telemetry=telemetry)
        # OpenCV is stateless, so concurrent calls can decode at once; the stream's decoder
        # (DALI's pipeline) serves one batch at a time and stays the stream's.
        self.decoder = decoder or OpenCVDecoder()
        self.limit = limit
        self.max_pixels = max_pixels
        self.max_bytes = max_bytes
        self.active = 0
        self._seq = 0

    def check(self, features: Sequence[str | Want]) -> list[str]:
        """Known features (with parameters: `persons(min_score=0.3)`) whose closure needs no
        history, or an `AnalysisError` naming the unknown ones or every ordered (windowed,
        stateful or tiling) feature of the closure. Rates do not apply to one image."""
        ids = [f.id if isinstance(f, Want) else f for f in features]
        if not ids:
            valid = self.planner.catalog.public()
            raise AnalysisError("no_features", "name some features", valid=valid)
        try:
            names = self.planner.check(ids)
        except UnknownFeatureError as exc:
            raise AnalysisError(
                "unknown_feature", str(exc), unknown=exc.unknown, valid=exc.valid
            ) from None
        plan = self.planner.plan(names)
        ordered = [n for n in plan.order if plan.nodes[n].feature.window.ordered]
        if ordered:
            raise AnalysisError(
                "needs_history",
                f"{', '.join(ordered)} need{'s' if len(ordered) == 1 else ''} earlier frames "
                "(a window or in-order state): one-shot analysis takes only features that look "
                "at one frame; subscribe to the stream for these",
                features=ordered,
            )
        return names

    def payload(self, data: bytes, base64: bool = False) -> Payload:
        """The image's checks, as for a stdin line: size, base64, header."""
        if not data:
            raise DecodeError("empty", "no image: the body is empty")
        if len(data) > self.max_bytes * (4 / 3 if base64 else 1) + 4:
            raise DecodeError("too_large", f"image over {self.max_bytes} bytes")
        return probe(decode_base64(data) if base64 else data, self.max_pixels)

    async def analyze(
        self, data: bytes, features: Sequence[str | Want], *, base64: bool = False
    ) -> dict[str, Any]:
        """The result event for one image (no frame number: it is not a frame of the stream)."""
        started = time.perf_counter()
        outcome = "failed"
        try:
            names = self.check(features)
            if self.active >= self.limit:
                outcome = "busy"
                raise AnalysisError(
                    "busy",
                    f"too many analyses at once (limit {self.limit}); try again shortly",
                    busy=True,
                    limit=self.limit,
                )
            self.active += 1
            try:
                result = await self._run(data, names, base64, started)
            finally:
                self.active -= 1
            outcome = "ok"
            return result
        except (AnalysisError, DecodeError):
            outcome = "busy" if outcome == "busy" else "invalid"
            raise
        finally:
            self.telemetry.analyses.labels(outcome).inc()
            if outcome == "ok":
                self.telemetry.analyze_seconds.observe(time.perf_counter() - started)

    async def _run(
        self, data: bytes, names: list[str], base64: bool, started: float
    ) -> dict[str, Any]:
        plan = self.planner.plan(names)
        ts = time.time()
        if plan.needs_image:
            payload, image = await asyncio.to_thread(self._decode, data, base64, plan.inputs)
            seq = self._next()
            frame = Frame(seq, ts, started, image=image.image, results=dict(image.inputs))
        else:  # nobody needs pixels: the header was checked, no decode (as for the stream)
            payload = self.payload(data, base64)
            seq = self._next()
            info = FrameInfo(seq, ts, payload.width, payload.height)
            frame = Frame(seq, ts, started, info=info)
        done = await self.executor.admit(frame, plan)
        event = Outcome(done.seq, ts, "result", frame=done, arrived=started)
        event.published = time.perf_counter()
        wanted = sorted(names)
        for name in wanted:
            if name in done.results:
                self.telemetry.delivered(name)
        return {
            "type": "result",
            "ts": round(ts, 3),
            "latency_ms": round(event.latency * 1000, 2),
            "image": {"format": payload.format, "width": payload.width, "height": payload.height},
            "features": {n: event.value(n) for n in wanted if n in done.results},
            "errors": {n: done.errors[n].message for n in wanted if n in done.errors},
        }

    def _decode(
        self, data: bytes, base64: bool, inputs: Mapping[str, Any]
    ) -> tuple[Payload, Decoded]:
        payload = self.payload(data, base64)
        result = self.decoder.decode([payload.data], inputs)[0]
        if isinstance(result, DecodeError):
            raise result
        return payload, result

    def _next(self) -> int:
        seq = self._seq
        self._seq += 1
        return seq
