"""What an operator can tune about the HTTP service: access, limits, liveness.

Every limit exists so that one client cannot take more than its share of a stream
process: subscriber slots, queue memory, request and message sizes, a socket that
stopped reading. Browser access (which other origins, how long a login lasts) is
explicit: nothing is allowed by default.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestrator.delivery.subscriber import Policy


@dataclass(frozen=True)
class Settings:
    token: str | None = None  # bearer token for everything but health, readiness and metrics
    cors_origins: tuple[str, ...] = ()  # other origins whose pages may use the API (normalised)
    session_ttl: float = 3600.0  # seconds a browser login (session cookie) lasts
    max_sessions: int = 1024  # browser sessions kept at once; the oldest go first
    default_features: tuple[str, ...] = ()  # for clients that name none
    default_policy: Policy = "latest"
    max_subscribers: int = 256  # subscriptions (SSE and WebSocket together)
    max_connections: int = 512  # open event streams and sockets, subscribed or not
    queue: int = 64  # events queued per subscriber by default
    max_queue: int = 1024  # the most a client may ask for
    max_query_bytes: int = 4096  # query string of any request
    max_message_bytes: int = 64 * 1024  # one WebSocket message from a client
    heartbeat: float = 15.0  # seconds between SSE comments / WebSocket pings on idle streams
    send_timeout: float = 30.0  # a client whose socket accepts nothing this long is cut off
    ready_timeout: float = 2.0  # seconds a readiness probe waits for Triton
    # Resume (orchestrator.delivery.resume): how long a lost connection's subscription is
    # kept, and how many recent frames' events (and bytes) are kept for clients that resume.
    grace: float = 10.0
    resume_frames: int = 300
    resume_bytes: int = 32 * 1024 * 1024
    # One-shot analysis (POST /analyze, gRPC Analyze).
    max_analyses: int = 4  # concurrent calls; more are refused (503 / RESOURCE_EXHAUSTED)
    max_image_bytes: int = 16 * 1024 * 1024  # one image
    no_stream: bool = False  # a pure analysis service: stdin is not read
    ready_refresh: float = 2.0  # seconds between background Triton checks (framegraph_ready)
