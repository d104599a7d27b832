"""Node keys: a plan node is a feature with the parameter values that differ from its defaults.

    NodeKey("persons")                           # printed: persons
    NodeKey("persons", (("min_score", 0.3),))    # printed: persons(min_score=0.3)

Defaults are normalised away before a key is made (`Feature.key`), so clients asking for the
same values share one node, and `persons(min_score=0.5)` is `persons`. The printed form is
canonical (parameters sorted, values in their canonical text): it is the node's id in plans,
in frame results and in events.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestrator.graph.param import Value, format_value


@dataclass(frozen=True, order=True)
class NodeKey:
    name: str
    params: tuple[tuple[str, Value], ...] = ()  # non-default values, sorted by name

    def __str__(self) -> str:
        if not self.params:
            return self.name
        return f"{self.name}({','.join(f'{k}={format_value(v)}' for k, v in self.params)})"

    @property
    def id(self) -> str:
        return str(self)

    def to_json(self) -> dict[str, object]:
        """The structured form: {"name": ..., "params": {...}} (what WebSocket/gRPC send)."""
        return {"name": self.name, "params": dict(self.params)}


def base_name(node_id: str) -> str:
    """The feature a printed node id belongs to: `persons(min_score=0.3)` -> `persons`."""
    return node_id.split("(", 1)[0]
