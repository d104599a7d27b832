"""What a client asks for, from a query string or a WebSocket message, checked once.

Features come as `a,b(x=1)` (or repeated `features=` parameters, or a JSON list of strings
and structured objects `{"name": ..., "params": {...}, "rate"|"every": ...}`); a rate for
the whole subscription as `rate=` (per second) or `every=` (k-th frame). Anything wrong is
one 400 naming it, never a silent subset: an unknown name lists the valid ones, a bad
parameter names the feature, the parameter and its bounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from orchestrator.delivery.subscriber import POLICIES, Policy
from orchestrator.graph import (
    ParamError,
    Planner,
    Rate,
    RateError,
    RequestSyntaxError,
    UnknownFeatureError,
    Want,
    resolve,
)
from orchestrator.graph.rate import EVERY_FRAME
from orchestrator.graph.syntax import split_top_level
from orchestrator.http.errors import ApiError
from orchestrator.http.settings import Settings


@dataclass(frozen=True)
class Subscription:
    """A checked request to subscribe: wants (non-empty, known), policy, queue size, rate."""

    wants: tuple[Want, ...]
    policy: Policy
    queue: int
    rate: Rate = EVERY_FRAME

    @property
    def features(self) -> tuple[str, ...]:
        return tuple(w.id for w in self.wants)


def check_rate(rate: Any = None, every: Any = None) -> Rate:
    try:
        return Rate.of(rate, every)
    except RateError as exc:
        raise ApiError(400, "bad_rate", str(exc)) from None


def check_wants(
    planner: Planner,
    raw: Any,
    settings: Settings,
    rate: Rate = EVERY_FRAME,
    *,
    default: bool = True,
) -> tuple[Want, ...]:
    """Checked wants; the server's default subset when none are named (if `default`)."""
    valid = planner.catalog.public()
    empty = raw is None or raw == "" or raw == [] or raw == ()
    if empty and default and settings.default_features:
        raw = list(settings.default_features)
    elif empty:
        raise ApiError(
            400, "no_features", f"name some features; valid: {', '.join(valid)}", valid=valid
        )
    try:
        return resolve(planner.catalog, raw, rate)
    except UnknownFeatureError as exc:
        if not exc.unknown:
            raise ApiError(
                400, "no_features", f"name some features; valid: {', '.join(valid)}", valid=valid
            ) from None
        raise ApiError(
            400, "unknown_feature", str(exc), unknown=exc.unknown, valid=exc.valid
        ) from None
    except ParamError as exc:
        raise ApiError(
            400, "bad_parameter", str(exc), feature=exc.feature, parameter=exc.param
        ) from None
    except RateError as exc:
        raise ApiError(400, "bad_rate", str(exc)) from None
    except RequestSyntaxError as exc:
        raise ApiError(400, "bad_request", str(exc)) from None


def split_names(raw: Any) -> list[str]:
    """`"a,b(x=1,y=2)"` or a list of such strings to one string per feature (commas inside
    parentheses kept)."""
    if raw is None:
        return []
    values = [raw] if isinstance(raw, str) else list(raw)
    if not all(isinstance(v, str) for v in values):
        raise ApiError(400, "bad_request", "features must be a string 'a,b' or a list of strings")
    try:
        return [part for v in values for part in split_top_level(v)]
    except RequestSyntaxError as exc:
        raise ApiError(400, "bad_request", str(exc)) from None


def check_features(planner: Planner, names: Any, settings: Settings) -> tuple[Want, ...]:
    """Checked wants at every frame (the server's defaults when none are named)."""
    return check_wants(planner, names, settings)


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
    planner: Planner,
    settings: Settings,
    features: Any,
    policy: Any = None,
    queue: Any = None,
    rate: Any = None,
    every: Any = None,
) -> Subscription:
    sub_rate = check_rate(rate, every)
    return Subscription(
        check_wants(planner, features, settings, sub_rate),
        check_policy(policy, settings),
        check_queue(queue, settings),
        sub_rate,
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
