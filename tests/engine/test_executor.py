"""The executor's promises: once per frame, in order where it matters, failures contained."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import pytest

from orchestrator.engine.executor import Executor
from orchestrator.engine.frame import Frame, FrameInfo
from orchestrator.graph import Catalog, Planner, Window


def make_frame(seq: int) -> Frame:
    return Frame(seq, float(seq), 0.0, info=FrameInfo(seq, float(seq), 4, 4))


async def run_frames(
    ex: Executor, planner: Planner, requested, n: int, start: int = 0
) -> list[Frame]:
    tasks = [ex.admit(make_frame(i), planner.plan(requested)) for i in range(start, start + n)]
    return list(await asyncio.gather(*tasks))


@pytest.fixture
def jittery() -> tuple[Catalog, Counter]:
    """A graph whose nodes take random time, with a windowed and a stateful node."""
    calls: Counter = Counter()
    seen: list[int] = []
    rng = random.Random(7)
    cat = Catalog()

    async def pause() -> None:
        await asyncio.sleep(rng.random() * 0.004)

    @cat.feature("src")
    async def src(frame):
        await pause()
        calls["src", frame.seq] += 1
        return frame.seq

    @cat.feature("double")
    async def double(src):
        await pause()
        calls["double", src] += 1
        return src * 2

    @cat.feature("win", window=Window.last(3))
    async def win(src):
        await pause()
        calls["win", src[-1]] += 1
        return list(src)

    @cat.feature("order", window=Window.in_order(list))
    async def order(src, state):
        await pause()
        state.append(src)
        seen.append(src)
        return list(state)

    cat.seen = seen  # type: ignore[attr-defined]
    return cat, calls


async def test_each_node_runs_once_per_frame_and_requests_get_their_subsets(jittery) -> None:
    cat, calls = jittery
    planner = Planner(cat)
    ex = Executor(cat)
    requests = [{"double"}, {"win", "double"}, {"src", "double", "win", "order"}]
    union = set().union(*requests)
    frames = await run_frames(ex, planner, union, 20)
    for f in frames:
        for name in ("src", "double", "win"):
            assert calls[name, f.seq] == 1
        for req in requests:
            subset = {k: v for k, v in f.results.items() if k in req}
            assert set(subset) == req
    assert ex.telemetry.value("framegraph_feature_computations_total", {"feature": "src"}) == 20


async def test_ordered_nodes_see_frames_in_order_under_jitter(jittery) -> None:
    cat, _ = jittery
    planner = Planner(cat)
    ex = Executor(cat)
    frames = await run_frames(ex, planner, {"order", "win"}, 40)
    assert cat.seen == list(range(40))
    for f in frames:
        assert f.results["win"] == list(range(max(0, f.seq - 2), f.seq + 1))
        assert f.warming_up["win"] is (f.seq < 2)
        assert f.results["order"] == list(range(f.seq + 1))


async def test_a_failure_fails_only_its_dependents_on_that_frame() -> None:
    cat = Catalog()

    @cat.feature("a")
    def a(frame):
        if frame.seq == 2:
            raise ValueError("boom")
        return frame.seq

    @cat.feature("b")
    def b(a):
        return a + 1

    @cat.feature("c")
    def c(b):
        return b + 1

    @cat.feature("other")
    def other(frame):
        return "fine"

    @cat.feature("smooth", window=Window.last(3))
    def smooth(a):
        return len(a)

    planner = Planner(cat)
    ex = Executor(cat)
    frames = await run_frames(ex, planner, {"c", "other", "smooth"}, 6)
    bad = frames[2]
    assert bad.errors["a"].message == "ValueError: boom"
    assert bad.errors["c"].cause == "a" and "boom" in bad.errors["c"].message
    assert set(bad.errors) == {"a", "b", "c", "smooth"}
    assert bad.results["other"] == "fine"
    for f in frames[:2] + frames[3:]:
        assert not f.errors and f.results["c"] == f.seq + 2
    # a window is the last 3 frames: the failed frame is a gap (still warming up), never an error
    assert [f.results["smooth"] for f in frames[3:]] == [2, 2, 3]
    assert [f.warming_up["smooth"] for f in frames[3:]] == [True, True, False]
    assert ex.telemetry.value("framegraph_feature_errors_total", {"feature": "c"}) == 1


async def test_dropping_a_feature_releases_its_state_and_readding_starts_fresh() -> None:
    states: list[list] = []
    cat = Catalog()

    def new_state() -> list:
        states.append([])
        return states[-1]

    @cat.feature("count", window=Window.in_order(new_state))
    def count(frame, state):
        state.append(frame.seq)
        return len(state)

    @cat.feature("plain")
    def plain(frame):
        return 0

    planner = Planner(cat)
    ex = Executor(cat)
    first = await run_frames(ex, planner, {"count"}, 3)
    assert [f.results["count"] for f in first] == [1, 2, 3]
    lane = ex.lanes._lanes["count"]
    await run_frames(ex, planner, {"plain"}, 2, start=3)
    assert "count" not in ex.lanes and lane.state is None  # released
    again = await run_frames(ex, planner, {"count"}, 2, start=5)
    assert [f.results["count"] for f in again] == [1, 2]
    assert len(states) == 2


async def test_window_memory_stays_bounded_over_a_long_stream() -> None:
    import tracemalloc

    import numpy as np

    cat = Catalog()

    @cat.feature("big")
    def big(image):
        return image.mean()

    @cat.feature("win", window=Window.last(4))
    def win(big):
        return len(big)

    planner = Planner(cat)
    plan = planner.plan({"win"})
    ex = Executor(cat)
    tracemalloc.start()
    peak_after_warmup = 0
    for i in range(3000):
        frame = Frame(i, 0.0, 0.0, image=np.full((64, 64, 3), i % 255, np.uint8))
        await ex.admit(frame, plan)
        assert sum(lane.rows() for lane in ex.lanes) <= plan.max_window
        if i == 200:
            tracemalloc.reset_peak()
        if i > 200:
            peak_after_warmup = max(peak_after_warmup, tracemalloc.get_traced_memory()[0])
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert frame.image is None  # pixels released once a frame is done
    assert current < 2_000_000 and peak_after_warmup < 2_000_000
