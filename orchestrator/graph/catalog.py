"""The catalog: every feature on offer, validated once at start-up.

Validation turns every mistake a feature author can make into one error naming the
feature: a bad or duplicate name, a parameter that is neither a feature nor a resource,
a cycle, a window that cannot work (a windowed feature asking for whole images, state
without a state factory, a window below one frame, a tiling feature that others need), two
different models of one name, a parameter that is misdeclared or out of its own bounds.

Models come with the features that declare them: a whole-frame model's input node
(`input.<model>`) is added with the first feature that names the model, so nothing about
a net is registered anywhere else.
"""

from __future__ import annotations

import graphlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

from orchestrator.graph.feature import FRAME_RESOURCES, NAME, Feature, make_feature
from orchestrator.graph.param import RESERVED, ParamError
from orchestrator.graph.window import Window
from orchestrator.models import FrameInput, Model, Pixels


class CatalogError(ValueError):
    """A feature is declared wrongly; the message names it."""


class Catalog:
    """Features by name, in declaration order; `validate()` resolves and checks them."""

    def __init__(self, resources: Iterable[str] = ("infer",)) -> None:
        self._features: dict[str, Feature] = {}
        self._models: dict[str, Model] = {}
        self._resources = FRAME_RESOURCES | frozenset(resources)
        self._valid = False

    def feature(
        self,
        name: str | None = None,
        *,
        window: Window | None = None,
        models: Iterable[Model] = (),
        public: bool = True,
        input_spec: FrameInput | None = None,
        pixels: Pixels = Pixels.FULL,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: declare the function as a feature of this catalog."""

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            self.add(
                make_feature(
                    fn,
                    name=name,
                    window=window,
                    models=tuple(models),
                    public=public,
                    input_spec=input_spec,
                    pixels=pixels,
                )
            )
            return fn

        return register

    def add(self, feat: Feature) -> None:
        if not NAME.match(feat.name):
            raise CatalogError(f"feature {feat.name!r}: name must be lowercase dotted words")
        if feat.name in self._features or feat.name in self._resources:
            raise CatalogError(f"feature {feat.name!r}: declared twice")
        for model in feat.models:
            known = self._models.setdefault(model.name, model)
            if known != model:
                raise CatalogError(
                    f"feature {feat.name!r}: model {model.name!r} is declared twice, differently"
                )
        self._features[feat.name] = feat
        self._valid = False
        for model in feat.models:
            spec = model.frame_input
            if spec is not None and model.input_node not in self._features:
                self.add(_input_node(model, spec))

    def models(self) -> list[Model]:
        """Every model a feature of the catalog calls, in declaration order."""
        return list(self._models.values())

    def validate(self) -> Catalog:
        """Resolve parameters to prerequisites and check the whole graph; idempotent."""
        if self._valid:
            return self
        by_param: dict[str, str] = {}
        for name in self._features:
            alias = name.replace(".", "_")
            if alias in by_param and by_param[alias] != name:
                raise CatalogError(
                    f"feature {name!r}: its parameter name {alias!r} also names {by_param[alias]!r}"
                )
            by_param[alias] = name
        for name, feat in list(self._features.items()):
            self._features[name] = self._resolve(self._parameters(feat), by_param)
        for feat in self._features.values():
            tiled = [d for d in feat.needs if self._features[d].window.tiling]
            if tiled:
                raise CatalogError(
                    f"feature {feat.name!r}: needs the tiling feature {tiled[0]!r}, which has "
                    "a result only once per block"
                )
        try:
            graphlib.TopologicalSorter({n: f.needs for n, f in self._features.items()}).prepare()
        except graphlib.CycleError as exc:
            cycle = " -> ".join(exc.args[1])
            raise CatalogError(f"feature {exc.args[1][0]!r}: dependency cycle {cycle}") from None
        self._valid = True
        return self

    def _parameters(self, feat: Feature) -> Feature:
        """Check the declared parameters; a parameter-sized window gets its default length."""
        if feat.problems:
            raise CatalogError(f"feature {feat.name!r}: {feat.problems[0]}")
        checked = []
        for param in feat.parameters:
            if param.name in RESERVED:
                raise CatalogError(
                    f"feature {feat.name!r}: parameter name {param.name!r} is reserved for rates"
                )
            try:
                checked.append(replace(param, default=param.check(feat.name, param.default)))
            except ParamError as exc:
                raise CatalogError(f"feature {feat.name!r}: default out of bounds: {exc}") from None
        w = feat.window
        if w.param is not None:
            sizer = next((p for p in checked if p.name == w.param), None)
            if sizer is None or sizer.kind != "int" or sizer.ge is None or sizer.ge < 1:
                raise CatalogError(
                    f"feature {feat.name!r}: its window length names {w.param!r}, which must be "
                    "an int parameter with ge >= 1"
                )
            w = replace(w, frames=int(sizer.default))
        return replace(feat, parameters=tuple(checked), window=w)

    def _resolve(self, feat: Feature, by_param: dict[str, str]) -> Feature:
        needs: list[str] = []
        resources: list[str] = []
        for param in feat.params:
            if param in self._resources:
                resources.append(param)
            elif param in by_param:
                needs.append(by_param[param])
            else:
                raise CatalogError(
                    f"feature {feat.name!r}: unknown prerequisite {param!r} "
                    f"(no feature {param.replace('_', '.')!r} and no resource of that name)"
                )
            if needs and needs[-1] == feat.name:
                raise CatalogError(f"feature {feat.name!r}: depends on itself")
        w = feat.window
        if w.frames < 1:
            raise CatalogError(f"feature {feat.name!r}: window of {w.frames} frames (needs >= 1)")
        if "state" in resources and w.state is None:
            raise CatalogError(
                f"feature {feat.name!r}: takes 'state' but its window has no state factory "
                "(use Window.in_order(factory))"
            )
        if w.state is not None and "state" not in resources:
            raise CatalogError(
                f"feature {feat.name!r}: has a state factory but no 'state' parameter"
            )
        windowed = w.frames > 1 or w.sliding or w.tiling
        if windowed and "image" in resources:
            raise CatalogError(
                f"feature {feat.name!r}: a {w.frames}-frame window cannot take 'image' "
                "(whole frames are not kept); window a small derived feature instead"
            )
        if feat.pixels != Pixels.FULL and "image" not in resources:
            raise CatalogError(f"feature {feat.name!r}: declares pixels= but does not take 'image'")
        if windowed and not needs:
            raise CatalogError(f"feature {feat.name!r}: a window needs at least one prerequisite")
        if w.tiling and w.state is not None:
            raise CatalogError(f"feature {feat.name!r}: a tiling window keeps no state")
        if ("block" in resources) is not w.tiling:
            raise CatalogError(
                f"feature {feat.name!r}: 'block' is for tiling features (Window.every) only, "
                "and every tiling feature takes it"
            )
        return replace(feat, needs=tuple(needs), resources=tuple(resources))

    def __getitem__(self, name: str) -> Feature:
        return self._features[name]

    def __contains__(self, name: object) -> bool:
        return name in self._features

    def __iter__(self) -> Iterator[Feature]:
        return iter(self._features.values())

    def __len__(self) -> int:
        return len(self._features)

    def public(self) -> list[str]:
        return sorted(f.name for f in self._features.values() if f.public)


def _input_node(model: Model, spec: FrameInput) -> Feature:
    """The internal node that makes a whole-frame model's input from the frame, once per frame."""

    def make(image: Any, frame: Any) -> Any:  # frame: its size, when the image is reduced
        return spec.make(image, (frame.width, frame.height))

    fit = "letterboxed" if spec.fit == "letterbox" else "stretched"
    make.__doc__ = f"The {spec.size}x{spec.size} {fit} frame that {model.name!r} takes."
    return make_feature(
        make, name=model.input_node, public=False, input_spec=spec, pixels=spec.pixels
    )
