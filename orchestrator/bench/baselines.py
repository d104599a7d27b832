"""The in-process baselines, each in a subprocess of its own (its CPU and memory alone).

- direct: per feature set, one stream, one frame at a time, nets in-process (`direct`);
- ceiling: every net the chosen sets use, bare, at batch sizes 1..16 (`ceiling`).

The naive baseline (every feature for every frame) is a scenario like the others, run
against the same server; see `workload.scenarios`.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping

import orjson

from orchestrator.bench.codec import from_json, mapping_from_json
from orchestrator.bench.config import BenchConfig
from orchestrator.bench.results import Baselines, CeilingResult, DirectResult
from orchestrator.bench.streams import ROOT
from orchestrator.bench.workload import Clip, FeatureSet
from orchestrator.features import default_catalog
from orchestrator.graph import Planner
from orchestrator.triton.repository import nets


def _module(name: str, *args: str, timeout: float = 600) -> object:
    """Run `orchestrator.bench.<name>` alone; its last stdout line, parsed."""
    out = subprocess.run(
        [sys.executable, "-m", f"orchestrator.bench.{name}", *args],
        cwd=ROOT,
        capture_output=True,
        timeout=timeout,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{name} baseline failed: {out.stderr.decode()[-2000:]}")
    return orjson.loads(out.stdout.splitlines()[-1])


def nets_of(models: Iterable[str]) -> list[str]:
    """The ONNX nets inside these ensembles (post-processing models left out)."""
    return list(dict.fromkeys(net for ensemble in models for net in nets(ensemble)))


def run_all(
    config: BenchConfig,
    chosen: list[FeatureSet],
    sets: Mapping[str, FeatureSet],
    clips: Mapping[str, Clip],
    log: Callable[[str], None],
) -> Baselines:
    planner = Planner(default_catalog())
    direct: dict[str, DirectResult] = {}
    for s in chosen:
        log(f"direct baseline: {s.name} on {s.clip}")
        out = _module(
            "direct",
            "--features",
            ",".join(s.features),
            "--clip",
            s.clip,
            "--seconds",
            str(config.direct_seconds),
        )
        direct[s.name] = from_json(DirectResult, out)
    nets = nets_of(m for s in chosen for m in planner.plan(s.features).model_names)
    ceiling: dict[str, CeilingResult] = {}
    if nets:
        log(f"ceiling: {', '.join(nets)} at batch {config.ceiling_batches}")
        out = _module(
            "ceiling",
            "--nets",
            ",".join(nets),
            "--batches",
            ",".join(str(b) for b in config.ceiling_batches),
            "--seconds",
            str(config.ceiling_seconds),
        )
        ceiling = mapping_from_json(CeilingResult, out)
    return Baselines(direct=direct, ceiling=ceiling)
