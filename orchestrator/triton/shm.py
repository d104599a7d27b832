"""System shared memory for frame-sized inputs, when worker and Triton share a host.

A frame-level input (up to ~0.8 MB) then crosses the process boundary as a memory
copy into a region the server already knows, instead of being serialised into a gRPC
message. Each model gets one region cut into slots, one per request in flight; a slot
goes back to the pool when its request is answered. If the server cannot map the region
(it runs elsewhere), the pool reports itself unusable and the client sends plain gRPC.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from dataclasses import dataclass

import numpy as np
import tritonclient.utils.shared_memory as shm


@dataclass
class Region:
    name: str
    handle: object
    slot_bytes: int
    free: asyncio.Queue[int]


class ShmPool:
    def __init__(self, slots: int = 8) -> None:
        self.slots = slots
        self._regions: dict[str, Region] = {}
        self._prefix = f"framegraph-{os.getpid()}-{id(self) & 0xFFFF:x}"

    def region(self, model: str, slot_bytes: int) -> Region:
        """The model's region (created on first use, registered by the caller)."""
        region = self._regions.get(model)
        if region is None:
            name = f"{self._prefix}-{model}"
            handle = shm.create_shared_memory_region(name, f"/{name}", slot_bytes * self.slots)
            free: asyncio.Queue[int] = asyncio.Queue()
            for i in range(self.slots):
                free.put_nowait(i * slot_bytes)
            region = self._regions[model] = Region(name, handle, slot_bytes, free)
        return region

    @staticmethod
    def write(region: Region, offset: int, array: np.ndarray) -> None:
        shm.set_shared_memory_region(region.handle, [np.ascontiguousarray(array)], offset=offset)

    def regions(self) -> list[Region]:
        return list(self._regions.values())

    def close(self) -> None:
        for region in self._regions.values():
            with contextlib.suppress(Exception):  # already gone: nothing to free
                shm.destroy_shared_memory_region(region.handle)
        self._regions.clear()
