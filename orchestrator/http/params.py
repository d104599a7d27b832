"""What a client asks for, from a query string or a WebSocket message, checked once.

Feature names come as `a,b` (or repeated `features=` parameters, or a JSON list); an
unknown name is a 400 listing the valid ones, never a silent subset.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from orchestrator.delivery.subscriber import POLICIES, Policy
from orchestrator.graph import Planner, UnknownFeatureError
from orchestrator.http.errors import ApiError
from orchestrator.http.settings import Settings


@dataclass(frozen=True)
class Subscription:
    """A checked request to subscribe: features (non-empty, known), policy, queue size."""

    features: tuple[str, ...]
    policy: Policy
    queue: int


def split_names(raw: Iterable[str] | str | None) -> list[str]:
    """`"a,b"`, `["a", "b,c"]` or None to a list of stripped, non-empty names."""
    if raw is None:
        return []
    values = [raw] if isinstance(raw, str) else list(raw)
    if not all(isinstance(v, str) for v in values):
        raise ApiError(400, "bad_request", "features must be a string 'a,b' or a list of strings")
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


def check_features(planner: Planner, names: list[str], settings: Settings) -> tuple[str, ...]:
    """Known public feature names, deduplicated; the default subset when none are named."""
    valid = planner.catalog.public()
    if not names:
        if settings.default_features:
            return settings.default_features
        raise ApiError(
            400, "no_features", f"name some features; valid: {', '.join(valid)}", valid=valid
        )
    try:
        return tuple(planner.check(names))
    except UnknownFeatureError as exc:
        raise ApiError(
            400, "unknown_feature", str(exc), unknown=exc.unknown, valid=exc.valid
        ) from None


def check_policy(raw: Any, settings: Settings) -> Policy:
    if raw is None or raw == "":
        return settings.default_policy
    if raw not in POLICIES:
        raise ApiError(
            400, "bad_policy", f"policy must be one of {', '.join(POLICIES)}", valid=list(POLICIES)
        )
    return cast(Policy, raw)


def check_queue(raw: Any, settings: Settings) -> int:
    if raw is None or raw == "":
        return settings.queue
    try:
        size = int(raw)
    except (TypeError, ValueError):
        size = 0
    if isinstance(raw, bool) or not 1 <= size <= settings.max_queue:
        raise ApiError(
            400,
            "bad_queue",
            f"queue must be an integer from 1 to {settings.max_queue}",
            limit=settings.max_queue,
        )
    return size


def subscription(
    planner: Planner, settings: Settings, features: Any, policy: Any = None, queue: Any = None
) -> Subscription:
    return Subscription(
        check_features(planner, split_names(features), settings),
        check_policy(policy, settings),
        check_queue(queue, settings),
    )


def resume_point(subscriber: Any, last: Any) -> tuple[int, int | None] | None:
    """`(subscription id, last frame received)` of a resume request, None for a new
    subscription. `last` None: nothing received yet (everything buffered is replayed)."""
    if subscriber is None or subscriber == "":
        return None
    sub_id = _integer(subscriber, 1, "bad_subscriber", "subscriber must be a subscription id")
    if last is None or last == "":
        return sub_id, None
    return sub_id, _integer(last, -1, "bad_resume", "the resume point must be a frame number")


def _integer(raw: Any, low: int, code: str, message: str) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = low - 1
    if isinstance(raw, (bool, float)) or value < low:
        raise ApiError(400, code, message)
    return value
