"""Plans: for a set of requested nodes, what runs, in which order, and what is skipped.

A node is a feature with its parameters (`NodeKey`); nodes are named by their printed key
(`persons(min_score=0.3)`). A parameterised node needs the default nodes upstream, so only
the node where a parameter acts is duplicated: two thresholds on `persons` share
`persons.detections` and the net behind it.

A plan is pure data computed from the catalog, so it is cached by the requested set: the
runtime asks for the plan of each frame's wanted set, and few distinct sets recur.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from orchestrator.graph.catalog import Catalog
from orchestrator.graph.feature import Feature
from orchestrator.graph.key import NodeKey, base_name
from orchestrator.graph.param import Value
from orchestrator.graph.syntax import parse_feature
from orchestrator.models import FrameInput, Model, Pixels, reduction


class UnknownFeatureError(ValueError):
    """Requested names that are not public features; carries the valid ones."""

    def __init__(self, unknown: list[str], valid: list[str]) -> None:
        self.unknown = unknown
        self.valid = valid
        what = (
            f"unknown feature{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}"
            if unknown
            else "no features named"
        )
        super().__init__(f"{what}; valid: {', '.join(valid)}")


@dataclass(frozen=True)
class Node:
    """One node of a plan: a feature with its parameter values."""

    key: NodeKey
    feature: Feature
    needs: tuple[str, ...]  # prerequisite node ids (always default nodes)
    params: Mapping[str, Value]  # every parameter's value (defaults included)
    frames: int  # window length (runs of a sliding window, or a tiling block)

    @cached_property
    def id(self) -> str:
        """The printed key (made once: the executor asks several times per frame)."""
        return str(self.key)

    @property
    def block(self) -> int | None:
        return self.frames if self.feature.window.tiling else None


@dataclass(frozen=True)
class Plan:
    """The closure of a request in topological order (prerequisites first)."""

    requested: tuple[str, ...]
    order: tuple[str, ...]
    skipped: tuple[str, ...]
    models: tuple[Model, ...]
    inputs: dict[str, FrameInput] = field(compare=False)  # input node -> spec (decoders make them)
    max_window: int
    needs_image: bool
    # What each consumer of `image` needs of it (distinct values): the decode reduction.
    pixels: tuple[Pixels, ...] = field(default=(), compare=False)
    needs: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)
    nodes: dict[str, Node] = field(default_factory=dict, compare=False, repr=False)

    def reduction(self, width: int, height: int) -> int:
        """The factor (1, 2, 4 or 8) a `width` x `height` frame may be decoded smaller by:
        the largest that every image consumer of this plan allows (`models.pixels`)."""
        return reduction(self.pixels, width, height)

    @property
    def model_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.models)

    def to_json(self) -> dict[str, Any]:
        return {
            "requested": list(self.requested),
            "order": list(self.order),
            "prerequisites": [n for n in self.order if n not in self.requested],
            "skipped": list(self.skipped),
            "models": list(self.model_names),
            "inputs": list(self.inputs),
            "max_window": self.max_window,
            "needs": {n: list(d) for n, d in self.needs.items()},
            "params": {
                n: dict(node.key.params) for n, node in self.nodes.items() if node.key.params
            },
        }

    def explain(self, runs: Mapping[str, str] | None = None) -> str:
        """A human-readable account, for `framegraph plan`; `runs`: node -> on which frames."""
        lines = [f"requested: {', '.join(self.requested) or '(nothing)'}", "runs, in order:"]
        for i, name in enumerate(self.order, 1):
            role = "requested" if name in self.requested else "prerequisite"
            needs = self.needs.get(name, ())
            after = f" <- {', '.join(needs)}" if needs else ""
            when = f" [{runs[name]}]" if runs and name in runs else ""
            lines.append(f"  {i:2d}. {name} ({role}){after}{when}")
        lines.append(f"Triton models: {', '.join(self.model_names) or 'none'}")
        lines.append(f"frames kept for windows: {self.max_window}")
        lines.append(f"skipped (nobody asked): {', '.join(self.skipped) or 'none'}")
        return "\n".join(lines)


class Planner:
    """Makes and caches plans over one validated catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog.validate()
        self._cache: dict[frozenset[Any], Plan] = {}

    def plan(self, requested: Iterable[NodeKey | str]) -> Plan:
        """The plan for these nodes: keys, or printed ids (`persons(min_score=0.3)`)."""
        raw = frozenset(requested)
        plan = self._cache.get(raw)
        if plan is None:
            keys = frozenset(self.key(k) if isinstance(k, str) else k for k in raw)
            plan = self._cache.get(keys) or self._make(keys)
            self._cache[raw] = self._cache[keys] = plan
        return plan

    def key(self, node: str) -> NodeKey:
        """The key of a printed node id (parameters checked; `ParamError` if out of bounds)."""
        if "(" not in node:
            return NodeKey(node)
        req = parse_feature(node)
        if req.name not in self.catalog:
            raise UnknownFeatureError([req.name], self.catalog.public())
        return self.catalog[req.name].key(dict(req.params))

    def check(self, requested: Iterable[str]) -> list[str]:
        """The requested node ids, or `UnknownFeatureError` if any is not a public feature
        (parameters are checked too: `ParamError`)."""
        names = list(dict.fromkeys(requested))
        valid = self.catalog.public()
        unknown = [n for n in names if base_name(n) not in valid]
        if unknown:
            raise UnknownFeatureError(unknown, valid)
        return [self.key(n).id for n in names]

    def _make(self, requested: frozenset[NodeKey]) -> Plan:
        self.check(sorted({k.name for k in requested}))
        order: list[str] = []
        nodes: dict[str, Node] = {}

        def visit(key: NodeKey) -> None:
            if key.id in nodes:
                return
            feat = self.catalog[key.name]
            node = Node(
                key, feat, feat.needs, {**feat.defaults, **dict(key.params)}, feat.frames(key)
            )
            nodes[key.id] = node
            for dep in feat.needs:
                visit(NodeKey(dep))
            order.append(key.id)

        rank = {f.name: i for i, f in enumerate(self.catalog)}  # catalog order: stable plans
        wanted = sorted(requested, key=lambda k: (rank[k.name], k.params))
        for key in wanted:
            visit(key)
        feats = [nodes[n].feature for n in order]
        names = {k.name for k in requested} | {nodes[n].feature.name for n in order}
        return Plan(
            requested=tuple(k.id for k in wanted),
            order=tuple(order),
            skipped=tuple(n for n in self.catalog.public() if n not in names),
            models=tuple(dict.fromkeys(m for f in feats for m in f.models)),
            inputs={f.name: f.input_spec for f in feats if f.input_spec is not None},
            max_window=max((nodes[n].frames for n in order), default=1),
            needs_image=any("image" in f.resources for f in feats),
            pixels=tuple(dict.fromkeys(f.pixels for f in feats if "image" in f.resources)),
            needs={n: nodes[n].needs for n in order},
            nodes={n: nodes[n] for n in order},
        )
