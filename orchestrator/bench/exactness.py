"""The exactly-once check: what Triton and the workers computed, against the plan.

For a scenario the plan says which ensembles run and the events say how much work each
frame gave them, so the counts are known exactly. Which nodes ran on a frame is read from
its event, so parameters and rates are understood: a frame's nodes are the closure of the
features (node ids, `persons(min_score=0.3)`) its event carries, plus, on every frame, the
prerequisites of the tiling features requested (a block collects every frame);

- a whole-frame model (`FrameInput`): one inference per frame on which a node calling it
  ran, and every model its ensemble is made of the same number; no more (nothing
  recomputed, two thresholds share one detection), no fewer (nothing lost);
- a crop model (`CropInput`): one inference per crop, in one request per frame that has
  any (or ceil(n / min_batch_size) for a frame with more). The crop count is read from the
  events: the `count` of the feature that calls the model (it reports one entry per crop),
  else of a sibling cropping the same detections, else of the detections themselves;
- every other model of the repository: zero;
- in each worker, every node computed exactly on the frames that needed it, nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from orchestrator.bench.results import Exactness, FeatureCheck, ModelCheck, ModelStats
from orchestrator.bench.streams import Record, StreamResult
from orchestrator.features import default_catalog
from orchestrator.graph import Catalog, Planner, Want, resolve
from orchestrator.graph.plan import Plan
from orchestrator.models import CropInput, Model
from orchestrator.triton.repository import all_models, composing


class FrameNodes:
    """The nodes that ran on a frame, from what its event carries."""

    def __init__(self, plan: Plan, wants: Sequence[Want] | None, catalog: Catalog) -> None:
        self.planner = Planner(catalog)
        self.catalog = catalog
        wants = wants if wants is not None else resolve(catalog, list(plan.requested))
        tiling = [w for w in wants if w.block is not None]
        needs = {d for w in tiling for d in catalog[w.key.name].needs}
        self.every_frame = frozenset(self.planner.plan(needs).order)
        self._cache: dict[tuple[str, ...], frozenset[str]] = {}

    def __call__(self, rec: Record) -> frozenset[str]:
        keys = tuple(sorted(rec.keys))
        nodes = self._cache.get(keys)
        if nodes is None:
            wanted = [w.key for w in resolve(self.catalog, list(keys), allow_empty=True)]
            nodes = self._cache[keys] = self.every_frame | frozenset(
                self.planner.plan(wanted).order
            )
        return nodes

    def calling(self, model: Model) -> set[str]:
        """The nodes (feature names) that call `model`."""
        return {f.name for f in self.catalog if model in f.models}


def crop_sources(catalog: Catalog, model: Model) -> list[str]:
    """Features whose per-frame `count` is the number of crops `model` gets, best first."""
    callers = [f for f in catalog if model in f.models]
    detections = [d for f in callers for d in f.needs]
    siblings = [
        f.name
        for f in catalog
        if f not in callers
        and any(isinstance(m.input, CropInput) for m in f.models)
        and set(f.needs) & set(detections)
    ]
    return list(dict.fromkeys([*(f.name for f in callers), *siblings, *detections]))


def expected_inferences(
    model: Model, results: Sequence[Record], catalog: Catalog | None = None
) -> tuple[int | None, int | None, str]:
    """(inferences, requests, how known) the ensemble must have served for these results."""
    if not isinstance(model.input, CropInput):
        return len(results), len(results), "one per frame"
    sources = crop_sources(catalog or default_catalog(), model)
    limit = model.min_batch_size
    inferences = requests = 0
    for rec in results:
        source = next((f for f in sources if f in rec.counts), None)
        if source is None:
            return None, None, "crop counts not in the events"
        n = rec.counts[source]
        inferences += n
        requests += math.ceil(n / limit)
    return inferences, requests, "one per crop, one request per frame with crops"


def check(
    plan: Plan,
    streams: Iterable[StreamResult],
    models: dict[str, ModelStats],
    wants: Sequence[Want] | None = None,
    catalog: Catalog | None = None,
) -> Exactness:
    """Per-model expected against served, per-node computations, and what went wrong.
    `wants`: the request with its rates (default: `plan.requested` on every frame)."""
    streams = list(streams)
    catalog = catalog or default_catalog()
    ran = FrameNodes(plan, wants, catalog)
    results = [r for s in streams for r in s.records if r.kind == "result"]
    problems: list[str] = []
    if any(r.errors for r in results):
        problems.append("some frames have feature errors: counts may legitimately differ")
    table: dict[str, ModelCheck] = {}
    for model in plan.models:
        used = [r for r in results if ran.calling(model) & ran(r)]
        for name, entry in _planned(model, used, models, catalog).items():
            if not entry.ok:
                requests = "-" if entry.expected_requests is None else entry.expected_requests
                problems.append(
                    f"{name}: {entry.inferences} inferences / {entry.executions} executions, "
                    f"expected {entry.expected_inferences} / {requests}"
                )
            table[name] = entry
    for name in all_models():
        if name not in table:
            n = models[name].inferences if name in models else 0
            table[name] = ModelCheck(expected_inferences=0, inferences=n, ok=n == 0)
            if n:
                problems.append(f"{name}: {n} inferences, but the plan does not use it")
    features = _features(ran, streams, problems)
    ok = all(e.ok for e in table.values()) and features.ok
    return Exactness(ok=ok, models=table, features=features, problems=problems)


def _planned(
    model: Model, results: Sequence[Record], served: dict[str, ModelStats], catalog: Catalog
) -> dict[str, ModelCheck]:
    """The ensemble and each model it is made of: inferences (and the ensemble's requests)."""
    inferences, requests, how = expected_inferences(model, results, catalog)
    out = {}
    for name in [model.name, *composing(model.name)]:
        got = served.get(name)
        n, executions = (got.inferences, got.executions) if got else (0, 0)
        expected = requests if name == model.name else None
        ok = (inferences is None or n == inferences) and (
            expected is None or executions == expected
        )
        out[name] = ModelCheck(
            expected_inferences=inferences,
            inferences=n,
            executions=executions,
            rule=how,
            expected_requests=expected,
            ok=ok,
        )
    return out


def _features(ran: FrameNodes, streams: list[StreamResult], problems: list[str]) -> FeatureCheck:
    """Every node computed exactly on the frames that needed it, in each worker; nothing
    else. A tiling node computes once per block (its events say where, the `end` event
    for the blocks the stream ended in)."""
    ok = True
    computed: dict[str, int] = {}
    frames = 0
    for s in streams:
        results = [r for r in s.records if r.kind == "result"]
        frames += len(results)
        expected: dict[str, int] = {}
        for rec in results:
            for node in ran(rec):
                if node in rec.keys or node in ran.every_frame or not _tiling(ran, node):
                    expected[node] = expected.get(node, 0) + 1
        for rec in (r for r in s.records if r.kind == "end"):  # blocks flushed at the end
            for node, n in rec.counts.items():
                expected[node] = expected.get(node, 0) + n
        if s.computed is None:
            problems.append(f"worker {s.index}: no --stats summary")
            ok = False
            continue
        counts = s.computed
        for name, c in counts.items():
            computed[name] = computed.get(name, 0) + c
        for name, n in expected.items():
            if counts.get(name, 0) != n:
                ok = False
                problems.append(
                    f"worker {s.index}: {name} computed {counts.get(name, 0)}x for {n} frames"
                )
        for name, c in counts.items():
            if name not in expected and c:
                ok = False
                problems.append(f"worker {s.index}: {name} computed {c}x but not planned")
    return FeatureCheck(ok=ok, frames=frames, computed=dict(sorted(computed.items())))


def _tiling(ran: FrameNodes, node: str) -> bool:
    name = node.split("(", 1)[0]
    return name in ran.catalog and ran.catalog[name].window.tiling
