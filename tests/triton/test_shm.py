"""The shared memory pool: size classes, reuse, the budget, concurrent holders, closing."""

from __future__ import annotations

import asyncio
from multiprocessing.shared_memory import SharedMemory
from pathlib import Path

import numpy as np
import pytest

from orchestrator.triton import shm
from orchestrator.triton.shm import ShmPool

KiB = 1024


def exists(slot: shm.Slot) -> bool:
    return Path("/dev/shm", slot.name).exists()


@pytest.fixture
def pool() -> ShmPool:
    pool = ShmPool(budget=1024 * KiB, smallest=64 * KiB, largest=512 * KiB)
    yield pool
    pool.close()


def test_size_classes_are_powers_of_two_from_the_smallest(pool: ShmPool) -> None:
    assert pool.size_class(1) == pool.size_class(64 * KiB) == 64 * KiB
    assert pool.size_class(64 * KiB + 1) == 128 * KiB
    assert pool.size_class(192 * 192 * 3 * 4) == 512 * KiB  # one face-mesh crop


def test_a_released_region_is_reused_by_its_class_only(pool: ShmPool) -> None:
    first = pool.acquire(100 * KiB)
    assert first is not None and first.size == 128 * KiB and exists(first)
    pool.release(first)
    assert pool.acquire(70 * KiB) is first  # same class: the same region, no new one
    small = pool.acquire(10 * KiB)
    assert small is not None and small is not first and small.size == 64 * KiB
    assert len(pool.slots()) == 2 and pool.used == 192 * KiB


def test_busy_regions_are_never_handed_out_twice(pool: ShmPool) -> None:
    slots = [pool.acquire(64 * KiB) for _ in range(4)]
    assert all(slots) and len({id(s) for s in slots}) == 4


def test_the_budget_bounds_the_total_and_frees_nothing_busy(pool: ShmPool) -> None:
    assert pool.acquire(513 * KiB) is None  # above the largest class: gRPC
    held = [pool.acquire(512 * KiB), pool.acquire(512 * KiB)]
    assert all(held) and pool.used == 1024 * KiB
    assert pool.acquire(1) is None  # budget spent, every region busy
    pool.release(held[0])  # type: ignore[arg-type]
    assert pool.acquire(300 * KiB) is held[0]
    assert pool.used == 1024 * KiB


def test_budget_is_capped_by_the_free_shared_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shm, "free_shm_bytes", lambda: 256 * KiB)
    small = ShmPool(budget=1 << 30, largest=1 << 25)
    assert small.budget == 128 * KiB and small.largest == 128 * KiB
    assert small.acquire(129 * KiB) is None


def test_write_lands_at_the_start_of_the_region(pool: ShmPool) -> None:
    batch = np.arange(3 * 8 * 8 * 3, dtype=np.float32).reshape(3, 8, 8, 3)[:, ::2]  # strided
    slot = pool.acquire(batch.nbytes)
    assert slot is not None
    slot.write(batch)
    other = SharedMemory(slot.name)  # what the server maps
    try:
        seen = np.ndarray(batch.shape, batch.dtype, buffer=other.buf).copy()
    finally:
        other.close()
    np.testing.assert_array_equal(seen, batch)


async def test_concurrent_requests_each_see_their_own_data() -> None:
    pool = ShmPool(budget=4096 * KiB, smallest=64 * KiB)

    async def request(k: int) -> bool:
        batch = np.full((k % 3 + 1, 64, 64, 3), k, np.float32)  # 48-144 KiB: two classes
        slot = pool.acquire(batch.nbytes)
        assert slot is not None
        slot.write(batch)
        for _ in range(k % 4 + 1):
            await asyncio.sleep(0)  # other requests write meanwhile
        view = np.ndarray(batch.shape, batch.dtype, buffer=slot.memory.buf)
        ok = bool((view == k).all())
        del view
        pool.release(slot)
        return ok

    try:
        for _ in range(3):
            assert all(await asyncio.gather(*(request(k) for k in range(12))))
        assert len(pool.slots()) <= 12  # reused across rounds, never more than in flight
    finally:
        pool.close()


def test_a_discarded_region_is_unlinked_and_its_budget_freed(pool: ShmPool) -> None:
    slot = pool.acquire(512 * KiB)
    assert slot is not None
    pool.discard(slot)
    assert not exists(slot) and pool.used == 0 and pool.slots() == []
    pool.release(slot)  # a late release of a dropped region does not bring it back
    assert pool.acquire(512 * KiB) is not slot


def test_close_unlinks_every_region_busy_or_free(pool: ShmPool) -> None:
    busy, free = pool.acquire(1), pool.acquire(200 * KiB)
    assert busy is not None and free is not None
    pool.release(free)
    pool.close()
    assert not exists(busy) and not exists(free) and pool.slots() == [] and pool.used == 0
    pool.release(busy)  # answered after the close: nothing to give back
    assert pool.slots() == []
