"""Process-wide settings for a long-running stream worker: allocator and garbage collector.

A worker allocates and frees a few frame-sized buffers (0.5-25 MB) per frame. With glibc's
defaults each one is a fresh `mmap` (or heap growth) that the kernel zero-fills page by
page and that is handed back to the kernel on free: ~470 page faults and ~1.3 ms of system
time per 768x576 frame, measured (docs/benchmarks.md). Keeping freed memory for reuse cuts
that to a handful of faults; the memory kept is bounded by what the frames in flight
needed at their peak, which the worker's RSS already shows.

OpenCV's own thread pool: one worker process per stream already spreads the work over a
node's cores, and the pool's idle threads spin (`sched_yield`) between the short jobs a
frame gives them: ~5% of a worker's CPU for nothing, measured. OpenCV runs single-threaded
in each worker instead.

The collector: everything imported at start-up (the catalog, numpy, OpenCV, gRPC) is
long-lived, so it is frozen out of the collector's scans, and young collections run less
often (a frame makes many short-lived containers, almost never a cycle).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging

import cv2

log = logging.getLogger(__name__)

# mallopt(3) parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3

MMAP_THRESHOLD = 64 << 20  # blocks below this come from the heap and are reused
TRIM_THRESHOLD = 256 << 20  # free memory at the heap's top kept rather than returned
TOP_PAD = 64 << 20  # heap growth per `brk`, so growth is rare
GC_THRESHOLDS = (20_000, 20, 20)  # young collections every 20k allocations, not 700

_tuned = False


def tune() -> bool:
    """Apply the settings once per process; False where glibc's `mallopt` is missing
    (musl, macOS): the worker then runs with the platform's defaults."""
    global _tuned
    if _tuned:
        return True
    _tuned = True
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    cv2.setNumThreads(1)
    return _tune_malloc()


def _tune_malloc() -> bool:
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError, TypeError):
        log.info("mallopt unavailable (%s): default allocator settings", name)
        return False
    settings = ((_M_MMAP_THRESHOLD, MMAP_THRESHOLD), (_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    ok = all(mallopt(param, value) == 1 for param, value in settings)
    ok = mallopt(_M_TOP_PAD, TOP_PAD) == 1 and ok
    if not ok:
        log.info("mallopt refused a setting: default allocator settings kept where refused")
    return ok
