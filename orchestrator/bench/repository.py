"""The model repository's configs, read as Triton reads them (protobuf text format).

The benchmark needs two things from them: which models an ensemble runs (for the
exactly-once check) and each model's config as JSON (to run the same models in-process for
the direct baseline, exactly as the server's backends would).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from google.protobuf import json_format, text_format
from tritonclient.grpc import model_config_pb2

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


def all_models(repository: Path | None = None) -> list[str]:
    root = repository or default_model_repository()
    return sorted(p.parent.name for p in root.glob("*/config.pbtxt"))
