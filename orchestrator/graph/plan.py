"""Plans: for a set of requested features, what runs, in which order, and what is skipped.

A plan is pure data computed from the catalog, so it is cached by the requested set: the
runtime asks for the plan of the current union of subscriptions at every frame boundary
and pays for planning only when that union changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from orchestrator.graph.catalog import Catalog
from orchestrator.models import FrameInput, Model


class UnknownFeatureError(ValueError):
    """Requested names that are not public features; carries the valid ones."""

    def __init__(self, unknown: list[str], valid: list[str]) -> None:
        self.unknown = unknown
        self.valid = valid
        super().__init__(
            f"unknown feature{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
            f"valid: {', '.join(valid)}"
        )


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
    needs: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

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
        }

    def explain(self) -> str:
        """A human-readable account, for `framegraph plan`."""
        lines = [f"requested: {', '.join(self.requested) or '(nothing)'}", "runs, in order:"]
        for i, name in enumerate(self.order, 1):
            role = "requested" if name in self.requested else "prerequisite"
            needs = self.needs.get(name, ())
            after = f" <- {', '.join(needs)}" if needs else ""
            lines.append(f"  {i:2d}. {name} ({role}){after}")
        lines.append(f"Triton models: {', '.join(self.model_names) or 'none'}")
        lines.append(f"frames kept for windows: {self.max_window}")
        lines.append(f"skipped (nobody asked): {', '.join(self.skipped) or 'none'}")
        return "\n".join(lines)


class Planner:
    """Makes and caches plans over one validated catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog.validate()
        self._cache: dict[frozenset[str], Plan] = {}

    def plan(self, requested: Iterable[str]) -> Plan:
        key = frozenset(requested)
        plan = self._cache.get(key)
        if plan is None:
            plan = self._cache[key] = self._make(key)
        return plan

    def check(self, requested: Iterable[str]) -> list[str]:
        """The requested names, or `UnknownFeatureError` if any is not a public feature."""
        names = list(dict.fromkeys(requested))
        valid = self.catalog.public()
        unknown = [n for n in names if n not in valid]
        if unknown:
            raise UnknownFeatureError(unknown, valid)
        return names

    def _make(self, requested: frozenset[str]) -> Plan:
        self.check(sorted(requested))
        order: list[str] = []
        seen: set[str] = set()

        def visit(name: str) -> None:
            if name in seen:
                return
            seen.add(name)
            for dep in self.catalog[name].needs:
                visit(dep)
            order.append(name)

        for feat in self.catalog:  # catalog order keeps plans stable and readable
            if feat.name in requested:
                visit(feat.name)
        feats = [self.catalog[n] for n in order]
        return Plan(
            requested=tuple(f.name for f in self.catalog if f.name in requested),
            order=tuple(order),
            skipped=tuple(n for n in self.catalog.public() if n not in seen),
            models=tuple(dict.fromkeys(m for f in feats for m in f.models)),
            inputs={f.name: f.input_spec for f in feats if f.input_spec is not None},
            max_window=max((f.window.frames for f in feats), default=1),
            needs_image=any("image" in f.resources for f in feats),
            needs={f.name: f.needs for f in feats},
        )
