"""Binding a node's arguments: its prerequisites' results (over its window) and resources.

The one place that knows how a feature's parameters are filled, shared by the executor and
by anything else that runs feature functions (the benchmark's direct baseline), so both call
features exactly alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TypeVar

import numpy as np

from orchestrator.engine.frame import FrameInfo
from orchestrator.graph.feature import Feature


class Record(Protocol):
    """What binding reads of a frame: its results so far and what is known about it."""

    @property
    def results(self) -> dict[str, Any]: ...

    @property
    def info(self) -> FrameInfo | None: ...


R = TypeVar("R", bound=Record)


def usable(feat: Feature, frames: Sequence[R]) -> list[R]:
    """The frames of a window on which every prerequisite has a result (failures are gaps)."""
    return [f for f in frames if all(d in f.results for d in feat.needs)]


def bind(
    feat: Feature,
    frames: Sequence[Record],
    image: np.ndarray | None,
    state: Any,
    resources: Mapping[str, Any],
    params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Keyword arguments for `feat.fn`. `frames` ends with the current frame; windowed features
    get tuples over all of them (oldest first; a tiling block may have none), the others the
    current frame's values. `params`: the node's parameter values (defaults otherwise)."""
    windowed = feat.window.sliding or feat.window.tiling
    dep_params = [p for p in feat.params if p not in feat.resources]
    pairs = list(zip(dep_params, feat.needs, strict=True))
    kwargs: dict[str, Any]
    if windowed:
        kwargs = {param: tuple(f.results[dep] for f in frames) for param, dep in pairs}
        info: Any = tuple(f.info for f in frames)
    else:
        current = frames[-1]
        kwargs = {param: current.results[dep] for param, dep in pairs}
        info = current.info
    for res in feat.resources:
        if res == "image":
            kwargs[res] = image
        elif res == "frame":
            kwargs[res] = info
        elif res == "state":
            kwargs[res] = state
        elif res in resources:
            kwargs[res] = resources[res]
        else:
            raise RuntimeError(f"resource {res!r} is not available in this worker")
    kwargs.update(feat.defaults)
    kwargs.update(params or {})
    return kwargs
