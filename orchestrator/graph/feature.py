"""A feature is a plain function whose parameter names are its prerequisites (after Hamilton).

    @catalog.feature(window=Window.last(2))
    def motion(image_thumb: tuple[np.ndarray, ...]) -> Motion: ...

A parameter names a feature with its dots written as underscores (`faces_tracks` is
`faces.tracks`), or one of the runtime's resources: `image` (the decoded BGR frame),
`frame` (`FrameInfo`), `state` (the feature's in-order state) and whatever the runtime
registers (`infer`, Triton inference). A feature that calls a net names its `Model`s
(`models=(PERSONS,)`); a whole-frame model's input is a node of its own, `input.<model>`,
taken as the parameter `input_<model>`. The function may be `async` (it then awaits remote
work such as Triton) or plain (it then runs inline on the event loop, so it must be cheap).
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from orchestrator.graph.window import Window
from orchestrator.models import FrameInput, Model

FRAME_RESOURCES = frozenset({"image", "frame", "state"})
NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


@dataclass(frozen=True)
class Feature:
    """A node of the graph: what it needs, how much history, and where it runs."""

    name: str
    fn: Callable[..., Any]
    params: tuple[str, ...]  # the function's parameter names, in order
    window: Window = field(default_factory=Window)
    models: tuple[Model, ...] = ()  # Triton ensembles it calls
    public: bool = True  # requestable by clients; internal nodes only serve others
    input_spec: FrameInput | None = None  # set on nodes that make a net's input from the frame
    description: str = ""
    result: str = ""  # the result type's name, for the catalog listing
    schema: str = ""  # the result's JSON shape in one line (the type's `JSON` class attribute)
    needs: tuple[str, ...] = ()  # prerequisite features, resolved by the catalog
    resources: tuple[str, ...] = ()  # runtime resources, resolved by the catalog
    is_async: bool = False

    @property
    def runs_in(self) -> str:
        return "triton" if self.models else "worker"

    @property
    def model_input(self) -> bool:
        """A model input made from the frame: a decoder may supply it, and it is released
        with the frame's pixels (large, and read only by the same frame's nodes)."""
        return self.input_spec is not None

    def describe(self) -> dict[str, Any]:
        """The catalog entry clients see."""
        return {
            "name": self.name,
            "needs": list(self.needs),
            "window": self.window.describe(),
            "window_frames": self.window.frames,
            "ordered": self.window.ordered,
            "runs_in": self.runs_in,
            "models": [m.name for m in self.models],
            "result": self.result,
            "schema": self.schema + (" + warming_up" if self.window.frames > 1 else ""),
            "description": self.description,
        }


def make_feature(
    fn: Callable[..., Any],
    *,
    name: str | None = None,
    window: Window | None = None,
    models: tuple[Model, ...] = (),
    public: bool = True,
    input_spec: FrameInput | None = None,
) -> Feature:
    """Build a `Feature` from a function; prerequisites are resolved later by the catalog."""
    sig = inspect.signature(fn)
    name = name or fn.__name__.replace("_", ".")
    try:
        ret = typing.get_type_hints(fn).get("return")
    except Exception:  # an annotation that does not resolve: no schema, no harm
        ret = None
    result = getattr(ret, "__name__", "") if ret is not None else ""
    doc = inspect.getdoc(fn) or ""
    return Feature(
        name=name,
        fn=fn,
        params=tuple(sig.parameters),
        window=window or Window(),
        models=tuple(models),
        public=public,
        input_spec=input_spec,
        description=doc.split("\n\n")[0].replace("\n", " "),
        result=result,
        schema=getattr(ret, "JSON", ""),
        is_async=inspect.iscoroutinefunction(fn),
    )
