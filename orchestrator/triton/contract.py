"""Does a Triton model match the worker's declaration of it? One check, offline and live.

The same comparison runs on a repository's `config.pbtxt` (tests, the repository check)
and on the config a running server reports (`get_model_config`) at start-up, so a model
repository that drifted from the features' `Model` declarations fails loudly, never with
nonsense results later.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orchestrator.models import Model, TensorSpec


def _declared(tensors: Any) -> dict[str, tuple[str, tuple[int, ...]]]:
    # Config JSON (pbtxt or get_model_config): data_type "TYPE_FP32"; int64 dims may be strings.
    out = {}
    for t in tensors or []:
        datatype = str(t.get("data_type", "")).removeprefix("TYPE_")
        out[t["name"]] = (datatype, tuple(int(d) for d in t.get("dims", [])))
    return out


def _compare(kind: str, want: TensorSpec, got: tuple[str, tuple[int, ...]] | None) -> str | None:
    if got is None:
        return f"{kind} {want.name!r} is missing (expected {want})"
    datatype, dims = got
    same_dims = len(dims) == len(want.dims) and all(
        w == -1 or w == g for w, g in zip(want.dims, dims, strict=True)
    )
    if datatype != want.datatype or not same_dims:
        return f"{kind} {want.name!r}: expected {want}, declared {datatype} {list(dims)}"
    return None


def check_model(model: Model, config: Mapping[str, Any]) -> str | None:
    """None if the model config (with or without the "config" wrapper) matches `model`,
    else one message listing every difference."""
    config = config.get("config", config)
    problems: list[str | None] = []
    if config.get("name", model.name) != model.name:
        problems.append(f"config is for model {config.get('name')!r}")
    batch = int(config.get("max_batch_size", 0))
    if batch < model.min_batch_size:
        problems.append(f"max_batch_size is {batch}, needs >= {model.min_batch_size}")
    inputs, outputs = _declared(config.get("input")), _declared(config.get("output"))
    problems.append(_compare("input", model.input_tensor, inputs.get("image")))
    problems += [_compare("output", spec, outputs.get(spec.name)) for spec in model.outputs]
    found = [p for p in problems if p]
    if not found:
        return None
    details = "\n".join(f"  - {p}" for p in found)
    return f"Triton model {model.name!r} does not match the worker's declaration:\n{details}"
