"""The whole benchmark, in order: one server, the scenario matrix, then the baselines.

1. Start the embedded Triton once, with every model, and warm it up (first executions
   of a net allocate its memory; that is start-up, not steady state).
2. Measure what a priming frame costs a fresh worker, per feature set and clip (probe
   workers that answer their priming frame and stop), so that it can be taken out of
   the workers' decode and feature-code CPU, which their `--stats` count it in.
3. Run each scenario alone on the machine: S fresh worker processes, Triton statistics
   and process counters read before and after, the exactly-once check on the result.
4. Stop the server; run the in-process baselines (direct, then ceiling) in subprocesses,
   so that their CPU time and peak memory are theirs alone.
"""

from __future__ import annotations

import base64
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from orchestrator.bench import baselines, preview, tritonstats
from orchestrator.bench.config import BenchConfig
from orchestrator.bench.exactness import check
from orchestrator.bench.machine import machine_facts
from orchestrator.bench.procs import ServerSampler
from orchestrator.bench.results import BenchRun, ScenarioResult
from orchestrator.bench.streams import CpuSplit, run_streams, supports_timings
from orchestrator.bench.summary import summarise
from orchestrator.bench.workload import Clip, Scenario, feature_sets, scenarios
from orchestrator.features import default_catalog
from orchestrator.graph import Planner

if TYPE_CHECKING:
    from orchestrator.triton.embedded import EmbeddedTriton

Log = Callable[[str], None]
PRIMING_PROBES = 2  # probe workers per set and clip; a first decode varies by about 2x


def _stderr(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run_bench(config: BenchConfig, log: Log = _stderr) -> BenchRun:
    """Run everything `config` asks for."""
    from orchestrator.triton.embedded import EmbeddedTriton

    began = time.perf_counter()
    facts = machine_facts()
    catalog = default_catalog()
    planner = Planner(catalog)
    sets = feature_sets(catalog.public())
    unknown = [s for s in config.sets if s not in sets]
    if unknown:
        raise ValueError(f"unknown feature set(s) {unknown}; valid: {', '.join(sets)}")
    chosen = [sets[s] for s in config.sets]
    plan = scenarios(
        chosen, config.streams, config.modes, config.seconds, sets["everything"], config.naive
    )
    clips = {name: Clip.load(name) for name in dict.fromkeys(sc.clip for sc in plan)}
    timings = supports_timings()
    if not timings:
        log("this `framegraph run` has no --timings: overhead figures will be missing")
    log(f"{len(plan)} scenarios, about {len(plan) * (config.seconds + 3):.0f} s, then baselines")
    runs: list[ScenarioResult] = []
    with EmbeddedTriton(startup_timeout=180) as server:
        import tritonclient.grpc as grpcclient

        client = grpcclient.InferenceServerClient(server.grpc_url)
        facts = replace(
            facts,
            triton_version=client.get_server_metadata(as_json=True).get("version"),
            triton_startup_s=round(server.startup_seconds or 0.0, 2),
        )
        _warm_up(plan, clips, server.grpc_url, config.warmup_seconds, log)
        priming = _priming_costs(plan, clips, server.grpc_url, timings, log)
        for i, sc in enumerate(plan, 1):
            log(f"[{i}/{len(plan)}] {sc.key}")
            probe = priming.get((sc.features, sc.clip))
            try:
                run = _measure(sc, clips[sc.clip], server, client, planner, timings, log, probe)
            except RuntimeError as exc:  # e.g. a worker that failed to start: try once more
                log(f"{sc.key} failed, once more in 10 s: {str(exc)[-800:]}")
                time.sleep(10)
                run = _measure(sc, clips[sc.clip], server, client, planner, timings, log, probe)
            runs.append(run)
            log(_line(run))
        client.close()
    base = baselines.run_all(config, chosen, sets, clips, log)
    log("image.preview on the vtest clip")
    previews = preview.measure([base64.b64decode(line) for line in Clip.load("vtest").lines])
    return BenchRun(
        benchmark="framegraph bench",
        schema=1,
        quick=config.quick,
        machine=facts,
        config=config,
        timings_available=timings,
        scenarios=runs,
        baselines=base,
        duration_s=round(time.perf_counter() - began, 1),
        preview=previews,
    )


def _measure(
    sc: Scenario,
    clip: Clip,
    server: EmbeddedTriton,
    client: Any,
    planner: Planner,
    timings: bool,
    log: Log,
    priming: CpuSplit | None = None,
) -> ScenarioResult:
    """One scenario alone on the server: Triton counters and process usage around it."""
    before = tritonstats.snapshot(client)
    with ServerSampler(server.pid) as sampler:
        streams, start, end = run_streams(sc, clip, server.grpc_url, timings)
    models = tritonstats.describe(tritonstats.delta(before, tritonstats.snapshot(client)))
    exact = check(planner.plan(sc.features), streams, models)
    assert sampler.usage is not None
    failed = [s for s in streams if s.returncode != 0]
    if failed:
        log(f"worker {failed[0].index} exited {failed[0].returncode}: {failed[0].stderr[-1500:]}")
    return summarise(sc, clip.fps, streams, start, end, sampler.usage, models, exact, priming)


def _warm_up(
    plan: list[Scenario], clips: dict[str, Clip], url: str, seconds: float, log: Log
) -> None:
    """Per clip, two unpaced streams of every feature planned on it; not recorded."""
    if seconds <= 0:
        return
    union: dict[str, dict[str, None]] = {}
    for sc in plan:
        union.setdefault(sc.clip, {}).update(dict.fromkeys(sc.features))
    for clip, features in union.items():
        warm = Scenario("warm-up", tuple(features), clip, 2, "unpaced", seconds, "warm-up")
        log(f"warm-up on {clip}: {', '.join(features)}")
        run_streams(warm, clips[clip], url, timings=False)


def _priming_costs(
    plan: list[Scenario], clips: dict[str, Clip], url: str, timings: bool, log: Log
) -> dict[tuple[tuple[str, ...], str], CpuSplit]:
    """Per feature set and clip: the decode and feature-code CPU of a priming frame alone,
    the mean over `PRIMING_PROBES` fresh workers fed nothing after it (unknown when a
    worker does not report them)."""
    out: dict[tuple[tuple[str, ...], str], CpuSplit] = {}
    for features, clip in dict.fromkeys((sc.features, sc.clip) for sc in plan):
        probe = Scenario("priming", features, clip, 1, "unpaced", 0.0, "priming")
        splits = []
        for _ in range(PRIMING_PROBES):
            streams, _, _ = run_streams(probe, clips[clip], url, timings)
            splits += [s.cpu_split for s in streams if s.cpu_split is not None]
        if splits:
            n = len(splits)
            out[(features, clip)] = CpuSplit(
                sum(s.decode_s for s in splits) / n, sum(s.features_s for s in splits) / n
            )
            log(f"priming frame on {clip} ({', '.join(features)}): {out[(features, clip)]}")
    return out


def _line(run: ScenarioResult) -> str:
    lat, over = run.e2e_ms, run.overhead
    return (
        f"  {run.throughput.total_fps:.1f} fps total, "
        f"e2e p50 {lat and lat.p50} p99 {lat and lat.p99} ms, "
        f"overhead p50 {over and over.p50} p99 {over and over.p99} ms, "
        f"dropped {run.frames.dropped}, exactly-once {run.exactly_once.ok}"
    )
