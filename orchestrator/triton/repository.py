"""The model repository's configs, read as Triton reads them, and checked against the catalog.

Configs are protobuf text (`config.pbtxt`); parsed here into the JSON form a Python backend
receives and `get_model_config` returns, so one comparison (`contract.check_model`) serves the
repository and a live server alike. `problems(catalog)` is what must hold for a catalog to run:
every model a feature declares exists, agrees with its declaration, and every net it runs has
its provenance and hash recorded in the repository's README.
"""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path
from typing import Any

from google.protobuf import json_format, text_format
from tritonclient.grpc import model_config_pb2

from orchestrator.graph import Catalog
from orchestrator.triton.contract import check_model
from orchestrator.triton.embedded import default_model_repository


@functools.cache
def load_config(name: str, repository: Path | None = None) -> dict[str, Any]:
    """`<repository>/<name>/config.pbtxt` as the JSON dict a Python backend receives."""
    root = repository or default_model_repository()
    text = (root / name / "config.pbtxt").read_text()
    message = text_format.Parse(text, model_config_pb2.ModelConfig())
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def steps(ensemble: str, repository: Path | None = None) -> list[dict[str, Any]]:
    """An ensemble's steps, in order (empty for a model that is not an ensemble)."""
    config = load_config(ensemble, repository)
    return list(config.get("ensemble_scheduling", {}).get("step", []))


def composing(ensemble: str, repository: Path | None = None) -> list[str]:
    """The models an ensemble runs, in order."""
    return [step["model_name"] for step in steps(ensemble, repository)]


def nets(ensemble: str, repository: Path | None = None) -> list[str]:
    """The neural nets (ONNX files) an ensemble runs; its other steps are post-processing."""
    return [
        name
        for name in composing(ensemble, repository)
        if load_config(name, repository).get("backend") == "onnxruntime"
    ]


def all_models(repository: Path | None = None) -> list[str]:
    root = repository or default_model_repository()
    return sorted(p.parent.name for p in root.glob("*/config.pbtxt"))


def sha256_prefix(path: Path, length: int = 12) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:length]


def recorded_hashes(repository: Path | None = None) -> dict[str, str]:
    """Net folder -> sha256 prefix, from the provenance table of the repository's README."""
    root = repository or default_model_repository()
    readme = (root / "README.md").read_text() if (root / "README.md").exists() else ""
    row = re.compile(r"^\|\s*`([a-z0-9_]+)`\s*\|.*\|\s*([0-9a-f]{12})\s*\|\s*$", re.MULTILINE)
    return {m.group(1): m.group(2) for m in row.finditer(readme)}


def problems(catalog: Catalog, repository: Path | None = None) -> list[str]:
    """Everything that keeps the repository from serving the catalog's models (empty: none)."""
    root = repository or default_model_repository()
    users: dict[str, list[str]] = {}
    for feat in catalog:
        for model in feat.models:
            users.setdefault(model.name, []).append(feat.name)
    hashes = recorded_hashes(root)
    found: list[str] = []
    for model in catalog.models():
        who = ", ".join(repr(f) for f in users[model.name])
        if not (root / model.name / "config.pbtxt").is_file():
            found.append(f"feature {who} names model {model.name!r}, which {root} lacks")
            continue
        mismatch = check_model(model, load_config(model.name, root))
        if mismatch:
            found.append(f"feature {who}: {mismatch}")
        for part in composing(model.name, root):
            if not (root / part / "config.pbtxt").is_file():
                found.append(f"model {model.name!r} runs {part!r}, which {root} lacks")
        for net in nets(model.name, root):
            onnx = root / net / "1" / "model.onnx"
            if not onnx.is_file():
                found.append(f"net {net!r} (of {model.name!r}) has no 1/model.onnx")
            elif net not in hashes:
                found.append(f"net {net!r} (of {model.name!r}): no provenance row in README.md")
            elif (digest := sha256_prefix(onnx)) != hashes[net]:
                found.append(f"net {net!r}: sha256 {digest}, README says {hashes[net]}")
    return found
