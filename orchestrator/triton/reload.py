"""Put a new model version live on a running Triton without failing a request.

Measured on Triton 2.51 in explicit model-control mode (the embedded server's, and what
`framegraph triton` runs), with requests streaming throughout:
- loading a loaded model again loads its new files (a new version folder, or an edited
  config such as a threshold) beside the old version, switches requests over once it is
  ready, then unloads the old version once its in-flight requests are done: no request
  failed across dozens of reloads;
- with the default version policy (`latest { num_versions: 1 }`) the highest version
  folder serves; ensembles name their steps with `model_version: -1` (the serving one);
- loading a composing model reloads the ensembles that use it;
- a new version that fails to load leaves the old one serving. Loaded directly, the
  failure is reported; loaded through its ensemble, it is NOT (the ensemble's load
  succeeds on the old version), so we load composing models first, each on its own.

`reload(client, name)` does that: the composing models of an ensemble (leaves first),
then the ensemble, and reports which versions serve before and after.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from tritonclient.utils import InferenceServerException


class ReloadError(RuntimeError):
    """A model's new version did not load; what served before still serves."""


class RepositoryClient(Protocol):
    """The part of `tritonclient.grpc.InferenceServerClient` used here."""

    def get_model_config(self, model_name: str, *, as_json: bool = ...) -> Any: ...
    def get_model_repository_index(self, *, as_json: bool = ...) -> Any: ...
    def load_model(self, model_name: str) -> None: ...


@dataclass(frozen=True)
class Switch:
    """One model reloaded: the versions that served before and serve now."""

    model: str
    before: tuple[str, ...]
    after: tuple[str, ...]

    def __str__(self) -> str:
        old, new = ", ".join(self.before) or "none", ", ".join(self.after) or "none"
        return f"{self.model}: version {new} serving" + (f" (was {old})" if old != new else "")


def steps(config: dict[str, Any]) -> list[str]:
    """The models an ensemble's config calls, in step order; [] for a plain model."""
    scheduling = config.get("config", config).get("ensemble_scheduling") or {}
    return [step["model_name"] for step in scheduling.get("step", [])]


def load_order(client: RepositoryClient, name: str) -> list[str]:
    """Every model `name` depends on, leaves first, then `name`; each once."""
    order: list[str] = []

    def visit(model: str, path: tuple[str, ...]) -> None:
        if model in order or model in path:
            return
        for step in steps(client.get_model_config(model, as_json=True)):
            visit(step, (*path, model))
        order.append(model)

    visit(name, ())
    return order


def serving(client: RepositoryClient, models: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """{model: versions in state READY}, from the repository index."""
    wanted = set(models)
    out: dict[str, list[str]] = {m: [] for m in wanted}
    for entry in client.get_model_repository_index(as_json=True).get("models", []):
        if entry.get("name") in wanted and entry.get("state") == "READY":
            out[entry["name"]].append(entry.get("version", "?"))
    return {m: tuple(sorted(v, key=_version_key)) for m, v in out.items()}


def _version_key(version: str) -> tuple[int, str]:
    return (int(version), "") if version.isdigit() else (-1, version)


def reload(client: RepositoryClient, name: str) -> list[Switch]:
    """Load `name`'s new files (its composing models first); `ReloadError` names the first
    model whose new version failed to load (the version that served before still does)."""
    try:
        order = load_order(client, name)
    except InferenceServerException as exc:
        raise ReloadError(f"{name}: {exc.message()}") from None
    before = serving(client, order)
    for model in order:
        try:
            client.load_model(model)
        except InferenceServerException as exc:
            still = ", ".join(serving(client, [model])[model])
            now = f"version {still} still serves" if still else "no version serves"
            raise ReloadError(
                f"{model}: the new version did not load; {now}\n{exc.message()}"
            ) from None
    after = serving(client, order)
    return [Switch(m, before[m], after[m]) for m in order]
