"""Prometheus metrics of one stream worker, in a registry of its own.

One registry per worker (not the process-global default) keeps tests independent and
lets `--stats` read the same counters that `/metrics` exposes: one source of truth.
Names follow Prometheus rules: `framegraph_` prefix, `_total` counters, `_seconds`
histograms; labels are bounded (feature, reason, policy, model), never per client.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)

# No `*_created` series (the creation time of every counter and histogram, per label set):
# they double the series count and nothing here reads them. Process-wide, by design.
disable_created_metrics()

# Soft real time: most of the mass sits between 1 ms and 1 s.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5)
COMPUTE_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)


class Telemetry:
    """All metrics of a worker; methods name the events the pipeline reports."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        r = self.registry = registry or CollectorRegistry()
        p = "framegraph"
        self.frames_received = Counter(
            f"{p}_frames_received", "Input lines read from stdin.", registry=r
        )
        self.frames_decoded = Counter(
            f"{p}_frames_decoded", "Frames decoded successfully.", registry=r
        )
        self.frames_completed = Counter(
            f"{p}_frames_completed",
            "Frames whose plan ran and whose results were handed out.",
            registry=r,
        )
        self.frames_dropped = Counter(
            f"{p}_frames_dropped", "Frames dropped unprocessed, by reason.", ["reason"], registry=r
        )
        self.frames_failed = Counter(
            f"{p}_frames_failed",
            "Input lines rejected as bad input, by reason.",
            ["reason"],
            registry=r,
        )
        self.frames_in_flight = Gauge(
            f"{p}_frames_in_flight", "Frames being decoded or computed.", registry=r
        )
        self.queue_depth = Gauge(
            f"{p}_queue_depth", "Input lines waiting to be decoded.", registry=r
        )
        self.computations = Counter(
            f"{p}_feature_computations",
            "Feature computations (once per frame at most).",
            ["feature"],
            registry=r,
        )
        self.deliveries = Counter(
            f"{p}_feature_deliveries",
            "Feature results handed to subscribers.",
            ["feature"],
            registry=r,
        )
        self.feature_errors = Counter(
            f"{p}_feature_errors",
            "Feature computations that failed (own error or a prerequisite's).",
            ["feature"],
            registry=r,
        )
        self.compute_seconds = Histogram(
            f"{p}_feature_compute_seconds",
            "Time spent computing a feature on one frame.",
            ["feature"],
            buckets=COMPUTE_BUCKETS,
            registry=r,
        )
        self.frame_latency = Histogram(
            f"{p}_frame_latency_seconds",
            "Arrival on stdin to results handed to subscribers.",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.decode_seconds = Histogram(
            f"{p}_decode_seconds",
            "Decoder time per frame (batch time divided by its frames).",
            ["decoder"],
            buckets=COMPUTE_BUCKETS,
            registry=r,
        )
        self.plan_rebuilds = Counter(
            f"{p}_plan_rebuilds", "Times the union of subscriptions changed the plan.", registry=r
        )
        self.subscribers = Gauge(f"{p}_subscribers", "Current subscribers.", ["policy"], registry=r)
        self.subscriber_drops = Counter(
            f"{p}_subscriber_drops",
            "Events a subscriber lost (latest: overwritten; lossless: cut off).",
            ["policy"],
            registry=r,
        )
        self.detached = Gauge(
            f"{p}_subscriptions_detached",
            "Subscriptions whose connection is gone, kept for their client to resume.",
            registry=r,
        )
        self.resumes = Counter(
            f"{p}_resumes",
            "Resume attempts: complete (nothing lost), gap (some frames no longer buffered), "
            "unknown (no such subscription, e.g. after its grace period).",
            ["outcome"],
            registry=r,
        )
        self.analyses = Counter(
            f"{p}_analyze_requests",
            "One-shot analysis calls, by outcome (ok, invalid, busy, failed).",
            ["outcome"],
            registry=r,
        )
        self.analyze_seconds = Histogram(
            f"{p}_analyze_seconds",
            "One-shot analysis time: image received to result ready.",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.triton_seconds = Histogram(
            f"{p}_triton_request_seconds",
            "Triton inference request time seen by the worker.",
            ["model"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.triton_errors = Counter(
            f"{p}_triton_errors", "Triton requests that failed.", ["model"], registry=r
        )
        self.triton_retries = Counter(
            f"{p}_triton_retries",
            "Failed Triton requests tried again within the frame's deadline, by reason "
            "(unavailable: server or connection gone; not_ready: model not loaded).",
            ["model", "reason"],
            registry=r,
        )
        self.ready = Gauge(
            f"{p}_ready",
            "1 when the worker can serve its current plan (evaluated when scraped).",
            registry=r,
        )

    # The events, named as the pipeline sees them.
    def computed(self, feature: str, seconds: float) -> None:
        self.computations.labels(feature).inc()
        self.compute_seconds.labels(feature).observe(seconds)

    def feature_failed(self, feature: str) -> None:
        self.feature_errors.labels(feature).inc()

    def delivered(self, feature: str, count: int = 1) -> None:
        self.deliveries.labels(feature).inc(count)

    def dropped(self, reason: str) -> None:
        self.frames_dropped.labels(reason).inc()

    def failed(self, reason: str) -> None:
        self.frames_failed.labels(reason).inc()

    def decoded(self, decoder: str, seconds_per_frame: float, frames: int) -> None:
        self.frames_decoded.inc(frames)
        for _ in range(frames):
            self.decode_seconds.labels(decoder).observe(seconds_per_frame)

    def triton_request(self, model: str, seconds: float, ok: bool) -> None:
        self.triton_seconds.labels(model).observe(seconds)
        if not ok:
            self.triton_errors.labels(model).inc()

    def triton_retry(self, model: str, reason: str) -> None:
        self.triton_retries.labels(model, reason).inc()

    def value(self, name: str, labels: dict[str, str] | None = None) -> float:
        """A sample's current value (0 when never observed)."""
        return self.registry.get_sample_value(name, labels or {}) or 0.0

    def by_label(self, name: str, label: str) -> dict[str, float]:
        """{label value: sample value} for one labelled counter or gauge sample name."""
        out: dict[str, float] = {}
        for metric in self.registry.collect():
            for s in metric.samples:
                if s.name == name and label in s.labels:
                    out[s.labels[label]] = s.value
        return out
