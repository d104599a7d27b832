"""What the worker counts and times: Prometheus metrics, and the `--stats` summary from them."""

from orchestrator.telemetry.metrics import Telemetry

__all__ = ["Telemetry"]
