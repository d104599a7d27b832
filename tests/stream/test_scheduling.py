"""Rates through a real pipeline: nodes run exactly where needed, clients get their frames."""

from __future__ import annotations

import asyncio
import base64
import io
from collections import Counter

import cv2
import numpy as np
import orjson
import pytest

from orchestrator.delivery.subscriber import Subscriber
from orchestrator.graph import Catalog, Param, Rate, Window, resolve
from orchestrator.stream.pipeline import PipelineConfig
from orchestrator.stream.worker import Worker

SMALL = base64.b64encode(cv2.imencode(".jpg", np.full((24, 32, 3), 90, np.uint8))[1].tobytes())
BAD = b"not base64!"


@pytest.fixture
def catalog() -> Catalog:
    calls: Counter = Counter()
    cat = Catalog()

    @cat.feature("pixels")
    def pixels(image, frame):
        calls["pixels", frame.seq] += 1
        return float(image.mean())

    @cat.feature("size")
    def size(frame):  # needs no pixels
        calls["size", frame.seq] += 1
        return frame.seq

    @cat.feature("pair", window=Window.last(2))
    def pair(size):
        calls["pair", size[-1]] += 1
        return list(size)

    @cat.feature("blocks", window=Window.every("frames"))
    def blocks(size, block, *, frames: int = Param(4, ge=2)):
        return {"sizes": list(size), **block.to_json()}

    cat.calls = calls  # type: ignore[attr-defined]
    return cat


async def run(worker: Worker, lines: list[bytes], subs: list[Subscriber]) -> list[list[dict]]:
    async def read(sub: Subscriber) -> list[dict]:
        out = []
        while (msg := await sub.get()) is not None:
            out.append(orjson.loads(msg.data))
        if sub.final:
            out.append(orjson.loads(sub.end_event()))
        return out

    readers = [asyncio.create_task(read(s)) for s in subs]
    data = b"".join(line + b"\n" for line in lines)
    await worker.run(io.BytesIO(data), handle_signals=False)
    return list(await asyncio.gather(*readers))


def subscribe(worker: Worker, text: str, **rate: int) -> Subscriber:
    wants = resolve(worker.catalog, text, Rate.of(**rate))
    return worker.hub.subscribe(wants, "lossless", 256)


async def test_clients_at_three_rates_each_node_on_the_union_of_its_frames(catalog) -> None:
    worker = Worker(catalog, PipelineConfig(lossless=True, max_in_flight=3))
    every = subscribe(worker, "size")
    third = subscribe(worker, "pixels,pair", every=3)
    fifth = subscribe(worker, "pixels", every=5)
    lines = [SMALL] * 16
    lines[6] = BAD  # frame 6: one of the 1/3 client's frames, an error event for it
    got = await run(worker, lines, [every, third, fifth])
    calls = catalog.calls
    assert [s for s in range(16) if calls["pixels", s]] == [0, 3, 5, 9, 10, 12, 15]
    assert all(calls[k] == 1 for k in calls)  # once per frame, never twice
    assert [s for s in range(16) if calls["pair", s]] == [0, 3, 9, 12, 15]
    assert [s for s in range(16) if calls["size", s]] == [s for s in range(16) if s != 6]
    assert worker.telemetry.value("framegraph_frames_decoded_total") == 7  # the others: no pixels
    assert [(e["type"], e["frame"]) for e in got[1]] == [
        ("result", 0),
        ("result", 3),
        ("error", 6),
        ("result", 9),
        ("result", 12),
        ("result", 15),
    ]
    assert [e["frame"] for e in got[2]] == [0, 5, 10, 15]
    assert [e["frame"] for e in got[0]] == list(range(16))
    assert got[1][3]["features"]["pair"] == {"value": [3, 9], "warming_up": False, "from_frame": 3}
    assert set(got[2][1]["features"]) == {"pixels"}


async def test_blocks_through_the_pipeline_gaps_and_a_partial_last_block(catalog) -> None:
    worker = Worker(catalog, PipelineConfig(lossless=True))
    sub = subscribe(worker, "blocks")
    lines = [SMALL] * 10
    lines[2] = lines[7] = BAD  # 2: a gap inside a block; 7: a block's last frame
    (events,) = await run(worker, lines, [sub])
    # a block-only client gets block ends: results, or the error of a failed last frame
    assert [(e["type"], e.get("frame")) for e in events] == [
        ("result", 3),
        ("error", 7),
        ("result", 8),
        ("end", None),
    ]
    first, late = (e["features"]["blocks"] for e in events[0::2][:2])
    assert first["sizes"] == [0, 1, 3] and (first["first"], first["last"], first["gaps"]) == (
        0,
        3,
        1,
    )
    assert late["sizes"] == [4, 5, 6] and (late["first"], late["last"]) == (4, 7)  # one late
    (last,) = events[-1]["blocks"]["blocks"]
    assert last["sizes"] == [8, 9] and last["ended"] and (last["first"], last["last"]) == (8, 9)


async def test_costs_are_shared_by_who_needed_each_node_and_add_up(catalog) -> None:
    worker = Worker(catalog, PipelineConfig(lossless=True))
    alone = subscribe(worker, "pair")  # size and pair, every frame
    shared = subscribe(worker, "size", every=2)  # size on even frames, shared there
    await run(worker, [SMALL] * 8, [alone, shared])
    ledger = worker.ledger
    t = ledger.totals()
    for where in ("worker_s", "triton_s"):
        assert t["nodes"][where] == pytest.approx(t["subscriptions"][where] + t["departed"][where])
    assert ledger.node("size")["computed"] == 8 and ledger.node("pair")["computed"] == 8
    assert t["departed"]["worker_s"] > 0  # both ended with the stream
