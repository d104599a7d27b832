"""Prometheus metrics of one stream worker, in a registry of its own.

One registry per worker (not the process-global default) keeps tests independent and
lets `--stats` read the same counters that `/metrics` exposes: one source of truth.
Names follow Prometheus rules: `framegraph_` prefix, `_total` counters, `_seconds`
histograms; labels are bounded (feature, reason, policy, model), never per client. A
parameterised node (`persons(min_score=0.3)`) counts under its feature's name, so clients
choosing values cannot multiply label sets; per-node counts are kept beside the registry
(`nodes`) for `--stats`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)

from orchestrator.graph.key import base_name

# No `*_created` series (the creation time of every counter and histogram, per label set):
# they double the series count and nothing here reads them. Process-wide, by design.
disable_created_metrics()


@dataclass
class NodeTally:
    """What one node (feature + parameters) did in this worker."""

    computed: int = 0
    delivered: int = 0
    errors: int = 0
    seconds: float = 0.0  # wall time computing


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
        self.frames_reduced = Counter(
            f"{p}_frames_decoded_reduced",
            "Frames decoded below full size, by factor (2, 4, 8): every consumer of their "
            "pixels needed less (reduced decode).",
            ["factor"],
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
        self.cost_seconds = Counter(
            f"{p}_feature_cost_seconds",
            "Compute spent on a feature's nodes: worker CPU (where=worker) and its share of "
            "Triton's compute time (where=triton).",
            ["feature", "where"],
            registry=r,
        )
        self.nodes: dict[str, NodeTally] = {}
        # Labelled children bound once: `labels()` takes a lock and checks its values on
        # every call, and the executor reports several times per node and frame. A child
        # is made on first use only, so a series exists once it has something to say.
        self._children: dict[tuple[str, tuple[str, ...]], Any] = {}

    def node(self, node: str) -> NodeTally:
        tally = self.nodes.get(node)
        if tally is None:
            tally = self.nodes[node] = NodeTally()
        return tally

    def _child(self, metric: Any, *labels: str) -> Any:
        key = (metric._name, labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    # The events, named as the pipeline sees them.
    def computed(self, node: str, seconds: float) -> None:
        tally = self.node(node)
        tally.computed += 1
        tally.seconds += seconds
        feature = base_name(node)
        self._child(self.computations, feature).inc()
        self._child(self.compute_seconds, feature).observe(seconds)

    def feature_failed(self, node: str) -> None:
        self.node(node).errors += 1
        self._child(self.feature_errors, base_name(node)).inc()

    def delivered(self, node: str, count: int = 1) -> None:
        self.node(node).delivered += count
        self._child(self.deliveries, base_name(node)).inc(count)

    def cost(self, node: str, where: str, seconds: float) -> None:
        if seconds > 0:
            self._child(self.cost_seconds, base_name(node), where).inc(seconds)

    def dropped(self, reason: str) -> None:
        self.frames_dropped.labels(reason).inc()

    def failed(self, reason: str) -> None:
        self.frames_failed.labels(reason).inc()

    def decoded(
        self, decoder: str, seconds_per_frame: float, frames: int, reductions: Sequence[int] = ()
    ) -> None:
        self.frames_decoded.inc(frames)
        for _ in range(frames):
            self.decode_seconds.labels(decoder).observe(seconds_per_frame)
        for factor in reductions:
            if factor > 1:
                self._child(self.frames_reduced, str(factor)).inc()

    def reductions(self) -> dict[int, int]:
        """Frames decoded at each factor, 1 (full size) included: from the registry's own
        counters, as `/metrics` shows them."""
        by_label = self.by_label("framegraph_frames_decoded_reduced_total", "factor")
        counts = {int(f): int(n) for f, n in by_label.items() if n}
        whole = int(self.value("framegraph_frames_decoded_total")) - sum(counts.values())
        if whole:
            counts[1] = whole
        return dict(sorted(counts.items()))

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
