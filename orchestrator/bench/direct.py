"""The direct baseline: what a user might write first, one frame at a time, in one process.

    for line in stdin: decode; for each step of the plan: run it (nets in-process with
    onnxruntime); serialise the result

Same frames, same feature functions, same pre- and post-processing (`inprocess` loads the
repository's own model files), same JSON; no Triton, no gRPC, no worker pipeline, no
concurrency, no batching. Run as `python -m orchestrator.bench.direct` so that its CPU
time and peak memory are its own; it prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import resource
import sys
import time
import warnings
from collections import deque
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import orjson

from orchestrator.bench.codec import to_json
from orchestrator.bench.inprocess import InProcessTriton
from orchestrator.bench.results import DirectResult
from orchestrator.bench.summary import pct
from orchestrator.bench.workload import Clip
from orchestrator.delivery.events import to_jsonable
from orchestrator.engine.binding import bind, usable
from orchestrator.engine.frame import FrameInfo
from orchestrator.engine.windows import Blocks, Row
from orchestrator.features import default_catalog
from orchestrator.graph import Planner
from orchestrator.graph.feature import Feature
from orchestrator.models import Infer

_JSON = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


@dataclass
class _Record:
    info: FrameInfo
    results: dict[str, Any]


class Sequential:
    """Runs a plan's nodes in order on one frame after another (windows and state too),
    binding arguments with the executor's own code."""

    def __init__(
        self,
        order: tuple[str, ...],
        features: dict[str, Feature],
        infer: Infer,
        block_sizes: dict[str, int] | None = None,
    ):
        self.order = order
        self.features = features
        self.resources: dict[str, Any] = {"infer": infer}
        self.state: dict[str, Any] = {}
        self.node_seconds: dict[str, float] = dict.fromkeys(order, 0.0)
        depth = max((features[n].window.frames for n in order), default=1)
        self.history: deque[_Record] = deque(maxlen=depth)
        self.blocks = {
            n: Blocks(features[n].window.frames) for n in order if features[n].window.tiling
        }

    async def frame(self, info: FrameInfo, image: np.ndarray) -> dict[str, Any]:
        record = _Record(info, {})
        self.history.append(record)
        for name in self.order:
            feat = self.features[name]
            frames: list[Any] = [record]
            if feat.window.frames > 1:
                frames = usable(feat, list(self.history)[-feat.window.frames :])
            factory = feat.window.state
            state = self.state.setdefault(name, factory()) if factory else None
            resources = self.resources
            if feat.window.tiling:  # computed when a block closes, on the block's rows
                self.blocks[name].add(Row(info.seq, info, record.results))
                block = self.blocks[name].take()
                if block is None:
                    continue
                frames, image_in = usable(feat, block.rows), None
                resources = {**resources, "block": block.info(len(frames))}
            else:
                image_in = image
            start = time.perf_counter()
            value = feat.fn(**bind(feat, frames, image_in, state, resources))
            record.results[name] = await value if feat.is_async else value
            self.node_seconds[name] += time.perf_counter() - start
        return record.results


async def run(features: list[str], clip: Clip, seconds: float, warmup: int = 3) -> DirectResult:
    catalog = default_catalog()
    plan = Planner(catalog).plan(features)
    infer = InProcessTriton(plan.model_names).infer
    sizes = {n: node.frames for n, node in plan.nodes.items()}
    runner = Sequential(plan.order, {f.name: f for f in catalog}, infer, sizes)
    requested = plan.requested
    latencies: list[float] = []
    k = 0
    start = end = time.perf_counter()
    cpu0 = _cpu_seconds()
    while k < warmup or end - start < seconds:
        if k == warmup:
            start = time.perf_counter()
            cpu0 = _cpu_seconds()
            runner.node_seconds = dict.fromkeys(runner.order, 0.0)
        t0 = time.perf_counter()
        image = cv2.imdecode(
            np.frombuffer(base64.b64decode(clip.line(k)), np.uint8), cv2.IMREAD_COLOR
        )
        h, w = image.shape[:2]
        results = await runner.frame(FrameInfo(k, time.time(), w, h), image)
        orjson.dumps({n: to_jsonable(results[n]) for n in requested if n in results}, option=_JSON)
        end = time.perf_counter()
        if k >= warmup:
            latencies.append((end - t0) * 1000)
        k += 1
    cpu = _cpu_seconds() - cpu0
    frames = max(1, len(latencies))
    node_ms = {n: round(1000 * t / frames, 3) for n, t in runner.node_seconds.items()}
    return DirectResult(
        features=list(requested),
        clip=clip.name,
        frames=len(latencies),
        seconds=round(end - start, 3),
        fps=round(len(latencies) / (end - start), 2),
        latency_ms=pct(latencies),
        models=list(plan.model_names),
        node_ms=node_ms,
        worker_compute_ms=round(
            sum(ms for n, ms in node_ms.items() if not runner.features[n].models), 3
        ),
        cpu_s=round(cpu, 3),  # the measured loop only, all threads
        cpu_ms_per_frame=round(1000 * cpu / max(1, len(latencies)), 3),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--features", required=True)
    parser.add_argument("--clip", required=True)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", RuntimeWarning)  # exp overflow in BlazeFace's sigmoid
    out = asyncio.run(run(args.features.split(","), Clip.load(args.clip), args.seconds))
    sys.stdout.write(orjson.dumps(to_json(out)).decode() + "\n")


if __name__ == "__main__":
    main()
