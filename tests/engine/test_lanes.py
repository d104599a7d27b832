"""Per-frame plans by rate, windows and state at reduced rates, tiling blocks, parameters."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from orchestrator.delivery.hub import Hub
from orchestrator.engine.executor import Executor
from orchestrator.engine.frame import Frame, FrameInfo
from orchestrator.graph import Catalog, Param, Planner, Rate, Window, resolve
from orchestrator.telemetry.remote import credit_remote


def make_frame(seq: int) -> Frame:
    return Frame(seq, float(seq), 0.0, info=FrameInfo(seq, float(seq), 4, 4))


async def run(
    ex: Executor, planner: Planner, hub: Hub, n: int, skip: frozenset[int] = frozenset()
) -> dict[int, Frame]:
    """Plan and admit frames 0..n-1 as the pipeline does (frames in `skip` never arrive)."""
    tasks = {}
    for seq in range(n):
        wants = hub.schedule(seq, float(seq), float(seq - 1) if seq else None)
        live = planner.plan(hub.requested())
        hub.admitted(seq)
        if seq in skip:
            continue
        frame = make_frame(seq)
        frame.wants = wants.by_subscriber
        tasks[seq] = ex.admit(frame, planner.plan(wants.keys), live)
    done = await asyncio.gather(*tasks.values())
    return {f.seq: f for f in done}


@pytest.fixture
def catalog() -> Catalog:
    calls: Counter = Counter()
    cat = Catalog()

    @cat.feature("src")
    async def src(frame):
        await asyncio.sleep(0)
        calls["src", frame.seq] += 1
        if frame.seq == 5:
            raise ValueError("bad frame")
        return frame.seq

    @cat.feature("mid")
    def mid(src):
        calls["mid", src] += 1
        return src

    @cat.feature("win", window=Window.last(3))
    def win(mid):
        calls["win", mid[-1]] += 1
        return list(mid)

    @cat.feature("order", window=Window.in_order(list))
    def order(mid, state):
        state.append(mid)
        return list(state)

    @cat.feature("summary", window=Window.every("frames"))
    def summary(src, block, *, frames: int = Param(4, ge=2)):
        return {"values": list(src), **block.to_json()}

    @cat.feature("scored")
    async def scored(src, *, min_score: float = Param(0.5, ge=0.1, le=1.0)):
        credit_remote(0.001, "net", 3)
        return min_score

    cat.calls = calls  # type: ignore[attr-defined]
    return cat.validate()


def subscribe(hub: Hub, catalog: Catalog, text: str, **rate: int) -> int:
    return hub.subscribe(resolve(catalog, text, Rate.of(**rate))).id


async def test_each_node_runs_exactly_on_the_union_of_the_frames_needed(catalog) -> None:
    planner, hub, ex = Planner(catalog), Hub(), Executor(catalog)
    subscribe(hub, catalog, "src")  # every frame
    subscribe(hub, catalog, "mid", every=3)
    subscribe(hub, catalog, "win", every=5)
    frames = await run(ex, planner, hub, 16)
    calls = catalog.calls
    assert [s for s in range(16) if calls["src", s]] == list(range(16))
    assert all(calls["src", s] == 1 for s in range(16))
    wanted_mid = [s for s in range(16) if s % 3 == 0 or s % 5 == 0]  # win needs it too
    assert [s for s in range(16) if calls["mid", s]] == [s for s in wanted_mid if s != 5]
    assert [s for s in range(16) if calls["win", s]] == [0, 10, 15]  # 5: its input failed
    assert "win" in frames[5].errors and "mid" not in frames[4].results


async def test_a_window_at_a_reduced_rate_reads_its_last_runs(catalog) -> None:
    planner, hub, ex = Planner(catalog), Hub(), Executor(catalog)
    subscribe(hub, catalog, "win", every=2)
    frames = await run(ex, planner, hub, 11)
    assert frames[8].results["win"] == [4, 6, 8] and frames[8].window_from["win"] == 4
    # frame 6's window would have reached frame 2, but [2, 4, 6] is full: no gap before 8
    assert [frames[s].warming_up["win"] for s in (0, 2, 4, 6)] == [True, True, False, False]
    assert frames[10].results["win"] == [6, 8, 10]


async def test_state_sees_the_frames_it_runs_on_in_order_and_survives_skipped_ones(catalog):
    planner, hub, ex = Planner(catalog), Hub(), Executor(catalog)
    subscribe(hub, catalog, "order", every=3)
    frames = await run(ex, planner, hub, 10)
    assert frames[9].results["order"] == [0, 3, 6, 9]  # one lane, kept between its frames
    assert "order" not in frames[8].results


async def test_tiling_blocks_on_the_right_frames_with_gaps_and_the_end_of_stream(catalog):
    planner, hub, ex = Planner(catalog), Hub(), Executor(catalog)
    subscribe(hub, catalog, "summary")
    frames = await run(ex, planner, hub, 11, skip=frozenset({2}))  # 2: a bad line
    got = {s: f.results["summary"] for s, f in frames.items() if "summary" in f.results}
    assert sorted(got) == [3, 7]  # blocks of 4: frames 0-3, 4-7, 8-11
    assert got[3]["values"] == [0, 1, 3] and got[3]["gaps"] == 1 and not got[3]["ended"]
    assert got[7]["values"] == [4, 6, 7] and got[7]["analysed"] == 3  # 5 failed: a gap
    (flushed,) = await ex.flush(last_seq=10)
    assert flushed.node == "summary" and flushed.value["values"] == [8, 9, 10]
    assert (flushed.value["first"], flushed.value["last"], flushed.value["ended"]) == (8, 10, True)


async def test_parameters_reach_the_function_and_costs_are_recorded(catalog) -> None:
    planner, hub, ex = Planner(catalog), Hub(), Executor(catalog)
    subscribe(hub, catalog, "scored(min_score=0.3),scored")
    frames = await run(ex, planner, hub, 2)
    f = frames[1]
    assert f.results["scored(min_score=0.3)"] == 0.3 and f.results["scored"] == 0.5
    assert f.timings["scored"].images == {"net": 3} and f.timings["scored"].remote == pytest.approx(
        0.001
    )
    assert f.timings["src"].cpu >= 0 and f.timings["src"].images == {}
    assert ex.telemetry.value("framegraph_feature_computations_total", {"feature": "scored"}) == 4
    assert ex.telemetry.nodes["scored(min_score=0.3)"].computed == 2
