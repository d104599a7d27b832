"""Requests resolved against the catalog: which node a client wants, and on which frames.

A `Want` is one checked (feature, parameters, rate): `resolve` turns what a client wrote
(`syntax.FeatureRequest`s, plus an optional rate for the whole subscription) into wants,
or raises one clear error: an unknown name (`UnknownFeatureError`, with the valid ones), a
bad parameter (`ParamError`: feature, parameter, bounds), a bad rate (`RateError`), or a
request that cannot be read (`RequestSyntaxError`).

On which frames a want is computed and delivered:
- an ordinary feature: the frames of its rate (its own, else the subscription's);
- a tiling feature (`Window.every(n)`): it collects on every frame while subscribed (its
  prerequisites run on every frame of a block) and is delivered once per block, with the
  block's last frame. A rate does not apply to it: asking one is an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from orchestrator.graph.catalog import Catalog
from orchestrator.graph.key import NodeKey
from orchestrator.graph.param import ParamError
from orchestrator.graph.plan import Plan, Planner, UnknownFeatureError
from orchestrator.graph.rate import EVERY_FRAME, Rate, RateError
from orchestrator.graph.syntax import FeatureRequest, RequestSyntaxError, parse_features

REQUEST_ERRORS = (UnknownFeatureError, ParamError, RateError, RequestSyntaxError)


@dataclass(frozen=True)
class Want:
    key: NodeKey
    rate: Rate = EVERY_FRAME
    block: int | None = None  # tiling: delivered at the end of each block of this many frames

    @property
    def id(self) -> str:
        return str(self.key)

    def runs(self, seq: int, ts: float, prev_ts: float | None) -> bool:
        """Must the node run on this frame for this want?"""
        return self.block is not None or self.rate.due(seq, ts, prev_ts)

    def delivers(self, seq: int, ts: float, prev_ts: float | None) -> bool:
        """Is this frame one of the client's (for its result, error or drop event)?"""
        if self.block is not None:
            return seq % self.block == self.block - 1
        return self.rate.due(seq, ts, prev_ts)

    def describe(self) -> str:
        if self.block is not None:
            return f"once per block of {self.block} frames"
        return self.rate.describe()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"feature": self.id, **self.key.to_json(), "runs": self.describe()}
        out.update(self.rate.to_json() or {})
        if self.block is not None:
            out["block"] = self.block
        return out


def resolve(
    catalog: Catalog, raw: Any, rate: Rate = EVERY_FRAME, *, allow_empty: bool = False
) -> tuple[Want, ...]:
    """Check a request (text, list, structured objects) into wants, in the order asked."""
    requests = parse_features(raw)
    if not requests and not allow_empty:
        raise UnknownFeatureError([], catalog.public())
    valid = catalog.public()
    unknown = list(dict.fromkeys(r.name for r in requests if r.name not in valid))
    if unknown:
        raise UnknownFeatureError(unknown, valid)
    wants: dict[NodeKey, Want] = {}
    for req in requests:
        want = _want(catalog, req, rate)
        known = wants.setdefault(want.key, want)
        if known != want:
            raise RateError(f"{want.id}: asked twice with different rates")
    return tuple(wants.values())


def _want(catalog: Catalog, req: FeatureRequest, rate: Rate) -> Want:
    feat = catalog[req.name]
    key = feat.key(dict(req.params))
    own = Rate.of(req.rate, req.every, where=req.name)
    if feat.window.tiling:
        if req.has_rate:
            raise RateError(
                f"{req.name}: a tiling feature is delivered once per block of frames; "
                "it takes no rate (set its block length instead)"
            )
        return Want(key, EVERY_FRAME, block=feat.frames(key))
    return Want(key, own if req.has_rate else rate)


def explain(planner: Planner, wants: Iterable[Want]) -> tuple[Plan, dict[str, str]]:
    """The plan of everything wanted, and for each node on which frames it runs: the rates
    of the wants that need it ("every frame" when one of them needs it on every frame)."""
    wants = list(wants)
    runs: dict[str, list[str]] = {}
    for want in wants:
        for node in planner.plan([want.key]).order:
            if want.block is not None:
                when = want.describe() if node == want.id else "every frame"
            else:
                when = want.rate.describe()
            runs.setdefault(node, []).append(when)
    out = {}
    for node, whens in runs.items():
        unique = list(dict.fromkeys(whens))
        out[node] = "every frame" if "every frame" in unique else " + ".join(unique)
    return planner.plan(w.key for w in wants), out
