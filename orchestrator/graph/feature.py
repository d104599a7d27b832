"""A feature is a plain function whose parameter names are its prerequisites (after Hamilton).

    @catalog.feature(window=Window.last(2))
    def motion(image_thumb: tuple[np.ndarray, ...]) -> Motion: ...

A parameter names a feature with its dots written as underscores (`faces_tracks` is
`faces.tracks`), or one of the runtime's resources: `image` (the decoded BGR frame),
`frame` (`FrameInfo`), `state` (the feature's in-order state) and whatever the runtime
registers (`infer`, Triton inference); a tiling feature also gets `block` (`BlockInfo`).
Keyword-only arguments whose default is `Param(...)` are parameters clients set per
request (`persons(min_score=0.3)`); they never name prerequisites. A feature that calls a
net names its `Model`s (`models=(PERSONS,)`); a whole-frame model's input is a node of its
own, `input.<model>`, taken as the parameter `input_<model>`. The function may be `async`
(it then awaits remote work such as Triton) or plain (it then runs inline on the event
loop, so it must be cheap).

A feature that takes `image` may say how small a picture of the frame it can work from
(`pixels=Pixels(160, 0, "cover")`, see `orchestrator.models.pixels`); when every consumer of
a frame allows it, the frame is decoded at 1/2, 1/4 or 1/8 of its size. The default is the
full frame, so a feature that says nothing gets exactly what it always got. A feature that
declares less must take geometry from `frame` (`FrameInfo.width`/`height`), never from
`image.shape`.
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from orchestrator.graph.key import NodeKey
from orchestrator.graph.param import TYPES, ParamError, Parameter, Value
from orchestrator.graph.window import Window
from orchestrator.models import FrameInput, Model, Pixels

FRAME_RESOURCES = frozenset({"image", "frame", "state", "block"})
NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


@dataclass(frozen=True)
class Feature:
    """A node of the graph: what it needs, how much history, and where it runs."""

    name: str
    fn: Callable[..., Any]
    params: tuple[str, ...]  # the function's prerequisite and resource names, in order
    window: Window = field(default_factory=Window)
    models: tuple[Model, ...] = ()  # Triton ensembles it calls
    public: bool = True  # requestable by clients; internal nodes only serve others
    input_spec: FrameInput | None = None  # set on nodes that make a net's input from the frame
    pixels: Pixels = Pixels.FULL  # the smallest picture of the frame it needs, if it takes image
    description: str = ""
    result: str = ""  # the result type's name, for the catalog listing
    schema: str = ""  # the result's JSON shape in one line (the type's `JSON` class attribute)
    needs: tuple[str, ...] = ()  # prerequisite features, resolved by the catalog
    resources: tuple[str, ...] = ()  # runtime resources, resolved by the catalog
    is_async: bool = False
    parameters: tuple[Parameter, ...] = ()  # keyword-only `Param` arguments, client-settable
    problems: tuple[str, ...] = ()  # declaration mistakes found at decoration, for the catalog

    @property
    def defaults(self) -> dict[str, Value]:
        return {p.name: p.default for p in self.parameters}

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def key(self, raw: Mapping[str, object] | None = None) -> NodeKey:
        """The node for these parameter values (checked; defaults normalised away)."""
        chosen: dict[str, Value] = {}
        for name, value in (raw or {}).items():
            param = self.parameter(name)
            if param is None:
                takes = ", ".join(f"{p.name} ({p.bounds})" for p in self.parameters)
                raise ParamError(
                    self.name,
                    name,
                    f"no parameter {name!r}; "
                    + (f"it takes {takes}" if takes else "it takes no parameters"),
                )
            checked = param.check(self.name, value)
            if checked != param.default:
                chosen[name] = checked
        return NodeKey(self.name, tuple(sorted(chosen.items())))

    def frames(self, key: NodeKey) -> int:
        """The window length of this feature's node `key` (its parameter, if it has one)."""
        if self.window.param is not None:
            return int(dict(key.params).get(self.window.param, self.window.frames))
        return self.window.frames

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
            "schema": self.schema + (" + warming_up, from_frame" if self.window.sliding else ""),
            "description": self.description,
            "params": [p.describe() for p in self.parameters],
            "tiling": self.window.tiling,
        }


def make_feature(
    fn: Callable[..., Any],
    *,
    name: str | None = None,
    window: Window | None = None,
    models: tuple[Model, ...] = (),
    public: bool = True,
    input_spec: FrameInput | None = None,
    pixels: Pixels = Pixels.FULL,
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
    params, parameters, problems = _split_signature(name, sig, fn)
    return Feature(
        name=name,
        fn=fn,
        params=params,
        window=window or Window(),
        models=tuple(models),
        public=public,
        input_spec=input_spec,
        pixels=pixels,
        description=doc.split("\n\n")[0].replace("\n", " "),
        result=result,
        schema=getattr(ret, "JSON", ""),
        is_async=inspect.iscoroutinefunction(fn),
        parameters=parameters,
        problems=problems,
    )


def _split_signature(
    name: str, sig: inspect.Signature, fn: Callable[..., Any]
) -> tuple[tuple[str, ...], tuple[Parameter, ...], tuple[str, ...]]:
    """(prerequisite/resource names, declared parameters, problems for the catalog)."""
    names: list[str] = []
    parameters: list[Parameter] = []
    problems: list[str] = []
    try:
        hints = typing.get_type_hints(fn)
    except Exception:
        hints = {}
    for arg in sig.parameters.values():
        if arg.kind is not inspect.Parameter.KEYWORD_ONLY:
            names.append(arg.name)
            continue
        if not isinstance(arg.default, Parameter):
            problems.append(f"keyword-only argument {arg.name!r} needs a Param(...) default")
            continue
        kind = next((k for k, t in TYPES.items() if hints.get(arg.name) is t), None)
        if kind is None:
            problems.append(f"parameter {arg.name!r} must be annotated int, float or bool")
            continue
        parameters.append(arg.default.named(arg.name, kind))
    return tuple(names), tuple(parameters), tuple(problems)
