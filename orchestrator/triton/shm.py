"""System shared memory for request inputs, when worker and Triton share a host.

Every input batch (a frame, or all crops of a frame: 16 person crops are 12 MB of
float32) then crosses the process boundary as one memory copy into a region the server
already knows, instead of being copied into a protobuf message and through a socket.

Batch sizes vary from frame to frame, so regions come in size classes (powers of two
from `smallest`); each region carries one request at a time and goes back to its class
when the request is answered, to be reused (registering a region with Triton costs a
round trip, so that happens once per region). Regions are created on demand within a
byte `budget` (capped at half the free space of /dev/shm: a write past a full tmpfs is a
SIGBUS, not an error). A batch larger than `largest`, or one whose class has no free
region while the budget is spent, gets no slot: the caller sends it over gRPC.

The pool does no I/O with Triton; the client registers regions (it owns the connection)
and remembers which ones the current server knows.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from dataclasses import dataclass, field
from multiprocessing.shared_memory import SharedMemory

import numpy as np

MiB = 1 << 20


@dataclass(eq=False)
class Slot:
    """One region: Triton's name for it, its size class, the mapping."""

    name: str
    size: int
    memory: SharedMemory = field(repr=False)

    @property
    def key(self) -> str:
        """The POSIX name Triton maps (`/dev/shm/<name>`)."""
        return f"/{self.name}"

    def write(self, array: np.ndarray) -> None:
        """Copy `array` to the start of the region (one memcpy; any memory layout)."""
        np.copyto(np.ndarray(array.shape, array.dtype, buffer=self.memory.buf), array)


def free_shm_bytes(path: str = "/dev/shm") -> int:
    """Bytes free on the shared memory filesystem (0 when there is none)."""
    try:
        stat = os.statvfs(path)
    except OSError:
        return 0
    return stat.f_bavail * stat.f_frsize


class ShmPool:
    """Regions by power-of-two size class, reused, within a bounded total."""

    def __init__(
        self, budget: int = 256 * MiB, smallest: int = 64 * 1024, largest: int = 32 * MiB
    ) -> None:
        self.budget = min(budget, free_shm_bytes() // 2)
        self.smallest = smallest
        self.largest = min(largest, self.budget)
        self._free: dict[int, list[Slot]] = {}
        self._all: list[Slot] = []
        self._prefix = f"framegraph-{os.getpid()}-{id(self) & 0xFFFF:x}"
        self._ids = itertools.count()

    def size_class(self, nbytes: int) -> int:
        """The smallest power of two >= `nbytes`, at least `smallest`."""
        return max(self.smallest, 1 << max(0, nbytes - 1).bit_length())

    @property
    def used(self) -> int:
        """Bytes of all regions created (busy or free)."""
        return sum(slot.size for slot in self._all)

    def acquire(self, nbytes: int) -> Slot | None:
        """A free region of `nbytes`' class, a new one within the budget, or None."""
        size = self.size_class(nbytes)
        if size > self.largest:
            return None
        free = self._free.get(size)
        if free:
            return free.pop()
        if self.used + size > self.budget:
            return None
        name = f"{self._prefix}-{next(self._ids)}"
        slot = Slot(name, size, SharedMemory(name, create=True, size=size))
        self._all.append(slot)
        return slot

    def release(self, slot: Slot) -> None:
        """`slot`'s request is answered: the region may carry the next one."""
        if slot in self._all:  # not closed meanwhile
            self._free.setdefault(slot.size, []).append(slot)

    def discard(self, slot: Slot) -> None:
        """Drop a region its server may still read (a request timed out or was cancelled):
        unlinked here, its budget freed; the server's mapping lasts until it lets go."""
        if slot in self._all:
            self._all.remove(slot)
            self._destroy(slot)

    def slots(self) -> list[Slot]:
        """Every region created (busy or free)."""
        return list(self._all)

    def close(self) -> None:
        """Unmap and unlink every region (busy ones too: the client is closing)."""
        for slot in self._all:
            self._destroy(slot)
        self._all.clear()
        self._free.clear()

    @staticmethod
    def _destroy(slot: Slot) -> None:
        with contextlib.suppress(BufferError):  # a view still alive: unmapped at exit
            slot.memory.close()
        with contextlib.suppress(FileNotFoundError):
            slot.memory.unlink()
